package io.dumpsink.agent.config;

import io.dumpsink.core.config.ConfigReader;

/** Whether heap dumps get a class histogram, read while they are uploaded ({@code dumpsink.agent.heap-summary}). */
public record HeapSummarySettings(boolean enabled) {

    public static HeapSummarySettings from(ConfigReader r) {
        return new HeapSummarySettings(r.bool("dumpsink.agent.heap-summary"));
    }
}
