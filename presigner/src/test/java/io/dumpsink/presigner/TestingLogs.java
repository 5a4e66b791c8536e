package io.dumpsink.presigner;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** Every log line of this JVM while open (message and stack trace, as they would be written), for assertions. */
public final class TestingLogs implements AutoCloseable {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            String line = event.getLevel() + " " + event.getLoggerName() + " " + event.getFormattedMessage();
            if (event.getThrowableProxy() != null) {
                line += "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy());
            }
            lines.add(line);
        }
    };

    public TestingLogs() {
        appender.setContext(root.getLoggerContext());
        appender.start();
        root.addAppender(appender);
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** Waits for a line containing {@code fragment}; fails, showing the lines so far, when none comes in time. */
    public String await(String fragment, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : lines) {
                if (line.contains(fragment)) {
                    return line;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no log line with '" + fragment + "' within " + timeout + ", only:\n"
                + String.join("\n", lines));
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
