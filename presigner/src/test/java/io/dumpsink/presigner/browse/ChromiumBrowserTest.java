package io.dumpsink.presigner.browse;

import static io.dumpsink.presigner.browse.BrowseFixture.BAD_KEY;
import static io.dumpsink.presigner.browse.BrowseFixture.NEW_KEY;
import static io.dumpsink.presigner.browse.BrowseFixture.OLD_KEY;
import static io.dumpsink.presigner.browse.BrowseFixture.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.dumpsink.presigner.TestingLogs;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The browse pages in a real browser: Debian's headless Chromium driven through its chromedriver, against a running
 * presigner over S3Proxy with real heap dumps. Asserts what a person sees and gets; screenshots of every step go to
 * {@code presigner/target/browser-screenshots/}. Skipped, with the reason, where Chromium is not installed
 * ({@code apt-get install -y chromium chromium-driver}).
 */
class ChromiumBrowserTest {
    static final Path SCREENSHOTS = Path.of("target", "browser-screenshots");
    static final List<Path> CHROMIUM = List.of(Path.of("/usr/lib/chromium/chromium"), Path.of("/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    Path tmp;
    BrowseFixture fixture;
    ChromeDriver browser;
    Path downloads;
    String testName;

    @BeforeEach
    void setUp(TestInfo info) throws Exception {
        Optional<Path> chromium = CHROMIUM.stream().filter(Files::isExecutable).findFirst();
        Assumptions.assumeTrue(chromium.isPresent() && Files.isExecutable(CHROMEDRIVER),
                "Chromium is not installed (no /usr/lib/chromium/chromium or /usr/bin/chromedriver): "
                        + "apt-get install -y chromium chromium-driver");
        testName = info.getTestMethod().orElseThrow().getName();
        fixture = new BrowseFixture(tmp);
        fixture.start();
        downloads = Files.createDirectories(tmp.resolve("downloads"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.get().toFile());
        // Without these, Chromium on a closed network waits on update, sync and QUIC probes, or refuses to start as
        // root in a container.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + tmp.resolve("profile"), "--window-size=1280,900");
        options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
                "download.prompt_for_download", false, "safebrowsing.enabled", false));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().withLogFile(tmp.resolve("chromedriver.log").toFile()).build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        browser.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow", "downloadPath",
                downloads.toString()));
        // The browse pages ask for HTTP Basic; the browser keeps the credentials for the origin after this.
        browser.get("http://oncall:" + TOKEN + "@127.0.0.1:" + fixture.presigner.port() + "/");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    private String url(String path) {
        return fixture.base + path;
    }

    private void screenshot(String step) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        File shot = browser.getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(testName + "-" + step + ".png"),
                StandardCopyOption.REPLACE_EXISTING);
    }

    private List<String> shownDumpLinks() {
        return browser.findElements(By.cssSelector("table.dumps tbody tr td:first-child a")).stream()
                .map(a -> a.getAttribute("href")).toList();
    }

    @Test
    void theFrontPageShowsTheNewestDumpFirstAndAFilterNarrowsTheList() throws Exception {
        browser.get(url("/"));
        screenshot("1-front-page");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Newest dumps");
        List<String> all = shownDumpLinks();
        assertThat(all).hasSize(4);
        assertThat(all.get(0)).endsWith("/dumps/" + NEW_KEY);
        WebElement firstRow = browser.findElement(By.cssSelector("table.dumps tbody tr"));
        assertThat(firstRow.getText()).contains("billing / worker-7").contains("java_pid7.hprof");

        WebElement namespace = browser.findElement(By.id("namespace"));
        namespace.sendKeys("shop");
        browser.findElement(By.cssSelector("form.filters button[type=submit]")).click();
        screenshot("2-filtered-by-namespace");
        assertThat(browser.getCurrentUrl()).contains("namespace=shop");
        List<String> shop = shownDumpLinks();
        assertThat(shop).hasSize(3).noneMatch(href -> href.contains("/billing/"));
        assertThat(shop.get(0)).endsWith("/dumps/" + OLD_KEY);
        assertThat(browser.findElement(By.id("namespace")).getAttribute("value")).isEqualTo("shop");

        browser.manage().window().setSize(new Dimension(390, 844));
        browser.get(url("/"));
        screenshot("3-phone-width");
        assertThat(browser.findElement(By.cssSelector("table.dumps tbody tr")).getCssValue("display"))
                .as("rows become cards at phone width").isEqualTo("block");
        Long scrollWidth = (Long) browser.executeScript("return document.documentElement.scrollWidth");
        assertThat(scrollWidth).as("nothing wider than the phone").isLessThanOrEqualTo(390L);
    }

    @Test
    void theOriginalHeapDumpDownloadedThroughTheBrowserEqualsTheOriginal() throws Exception {
        browser.get(url("/"));
        browser.findElement(By.cssSelector("a[href='/dumps/" + OLD_KEY + "']")).click();
        screenshot("1-dump-page");
        assertThat(browser.findElement(By.id("sha256")).getText()).isEqualTo(TestingDumps.sha256(fixture.heapDump));
        browser.findElement(By.id("download-original")).click();
        Path file = awaitDownload("java_pid1.hprof", Duration.ofSeconds(60));
        assertThat(Files.readAllBytes(file)).isEqualTo(fixture.heapDump);
    }

    @Test
    void aDownloadWhoseBytesDoNotMatchTheSha256NeverCompletes() throws Exception {
        browser.get(url("/dumps/" + BAD_KEY));
        try (TestingLogs logs = new TestingLogs()) {
            browser.findElement(By.id("download-original")).click();
            logs.await("Original download aborted, the client gets a failed download key=" + BAD_KEY,
                    Duration.ofSeconds(30));
        }
        Thread.sleep(2_000); // the browser's view of the closed connection
        screenshot("1-after-failed-download");
        try (Stream<Path> files = Files.list(downloads)) {
            assertThat(files.map(p -> p.getFileName().toString())).doesNotContain("java_pid3.hprof");
        }
    }

    private Path awaitDownload(String name, Duration timeout) throws Exception {
        Path file = downloads.resolve(name);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(file)) {
            try (Stream<Path> files = Files.list(downloads)) {
                assertThat(System.nanoTime()).as("download of %s within %s, folder has %s", name, timeout,
                        files.toList()).isLessThan(deadline);
            }
            Thread.sleep(100);
        }
        return file;
    }
}
