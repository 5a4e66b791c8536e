package io.dumpsink.agent;

import io.dumpsink.core.lifecycle.Launcher;

/**
 * The agent's entry point. SIGTERM stops it gracefully (in-flight uploads get the shutdown grace, then pause in
 * their journals) and exits 0; a crash or SIGKILL leaves the journals, and the next start resumes.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Launcher.run(AgentApp::create);
    }
}
