package io.dumpsink.presigner;

import io.dumpsink.core.lifecycle.Launcher;

/** The presigner's entry point: stateless, so SIGTERM simply stops serving and exits 0. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Launcher.run(PresignerApp::create);
    }
}
