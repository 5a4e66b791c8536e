package io.dumpsink.e2e;

/** The original design's crash: prints, sleeps, then allocates more than its 12 MB heap can hold. */
public final class HelloWorld {
    private HelloWorld() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("Hello, world");
        Thread.sleep(500);
        int[] tooBig = new int[8 * 1024 * 1024]; // 32 MB
        System.out.println(tooBig.length);
    }
}
