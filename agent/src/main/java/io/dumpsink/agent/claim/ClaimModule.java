package io.dumpsink.agent.claim;

import com.google.inject.AbstractModule;

/** Claim: settled dumps move out of the pod's folder into the agent's, so the pod can write the next one. */
public final class ClaimModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(DumpClaims.class);
    }
}
