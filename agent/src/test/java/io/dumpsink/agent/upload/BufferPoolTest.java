package io.dumpsink.agent.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dumpsink.agent.health.Readiness;
import io.dumpsink.agent.metrics.AgentMetrics;
import io.dumpsink.agent.testing.TestingAllocator;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pool's bound is real: a budget in bytes that takes never pass, failures reported once, and recovery. */
class BufferPoolTest {
    private static final int MIB = 1024 * 1024;

    final AgentMetrics metrics = new AgentMetrics();
    final Readiness readiness = new Readiness(metrics);
    final TestingAllocator allocator = new TestingAllocator();
    BufferPool pool;

    @BeforeEach
    void setUp() {
        readiness.started();
        pool = new BufferPool(10 * MIB, "a test budget", allocator, readiness, metrics);
    }

    @Test
    void takingBeyondTheBudgetFailsAtOnceAndMarksTheAgentNotReady() throws Exception {
        BufferPool.Lease lease = pool.lease();
        lease.take(4 * MIB);
        lease.take(4 * MIB);

        assertThatThrownBy(() -> lease.take(4 * MIB)).isInstanceOf(BufferAllocationException.class)
                .hasMessageContaining("a 4.0MiB buffer would exceed the upload buffer budget of 10.0MiB (a test"
                        + " budget): uploads hold 8.0MiB");
        assertThat(pool.leasedBytes()).isEqualTo(8 * MIB);
        assertThat(metrics.bufferAllocationFailures.get()).isEqualTo(1);
        assertThat(readiness.isReady()).isFalse();
        assertThat(readiness.problems()).containsOnlyKeys("memory");
        assertThat(allocator.refused()).as("refused by the budget, before the JVM is asked").isZero();
    }

    @Test
    void releasedBuffersAreReusedAndAnUploadThatGetsAllItAsksForClearsTheCondition() throws Exception {
        BufferPool.Lease first = pool.lease();
        ByteBuffer buffer = first.take(6 * MIB);
        assertThatThrownBy(() -> first.take(6 * MIB)).isInstanceOf(BufferAllocationException.class);
        first.release();
        assertThat(readiness.problems()).as("that upload failed: it proves nothing").containsOnlyKeys("memory");
        assertThat(pool.leasedBytes()).isZero();
        assertThat(pool.retainedBytes()).isEqualTo(6 * MIB);

        BufferPool.Lease second = pool.lease();
        assertThat(second.take(6 * MIB)).isSameAs(buffer);
        second.take(MIB);
        second.release();

        assertThat(readiness.isReady()).isTrue();
        assertThat(readiness.problems()).isEmpty();
        assertThat(pool.leasedBytes() + pool.retainedBytes()).isLessThanOrEqualTo(10 * MIB);
    }

    @Test
    void keptBuffersOfAnotherSizeAreDroppedToMakeRoom() throws Exception {
        BufferPool.Lease first = pool.lease();
        first.take(4 * MIB);
        first.take(4 * MIB);
        first.release();
        assertThat(pool.retainedBytes()).isEqualTo(8 * MIB);

        BufferPool.Lease second = pool.lease();
        second.take(6 * MIB);

        assertThat(pool.leasedBytes()).isEqualTo(6 * MIB);
        assertThat(pool.retainedBytes()).isEqualTo(4 * MIB);
        assertThat(metrics.bufferAllocationFailures.get()).isZero();
    }

    @Test
    void abandonedBuffersStopCountingAndAreNeverHandedOutAgain() throws Exception {
        BufferPool.Lease failed = pool.lease();
        ByteBuffer touchedByACancelledTask = failed.take(8 * MIB);
        failed.abandon();
        assertThat(pool.leasedBytes()).isZero();
        assertThat(pool.retainedBytes()).isZero();

        assertThat(pool.lease().take(8 * MIB)).isNotSameAs(touchedByACancelledTask);
    }

    @Test
    void theJvmRefusingDirectMemoryIsCaughtWhereBuffersAreTaken() throws Exception {
        allocator.outOfMemory(true);

        assertThatThrownBy(() -> pool.lease().take(MIB)).isInstanceOf(BufferAllocationException.class)
                .hasMessageContaining("the JVM refused a 1.0MiB buffer (Cannot reserve 1048576 bytes of direct"
                        + " buffer memory");
        assertThatThrownBy(() -> pool.lease().take(MIB)).isInstanceOf(BufferAllocationException.class);
        assertThat(pool.leasedBytes()).as("nothing stays reserved for a failed allocation").isZero();
        assertThat(metrics.bufferAllocationFailures.get()).isEqualTo(2);
        assertThat(readiness.problems().get("memory")).contains("Cannot reserve 1048576 bytes");

        allocator.outOfMemory(false);
        BufferPool.Lease recovered = pool.lease();
        recovered.take(MIB);
        recovered.release();
        assertThat(readiness.isReady()).isTrue();
    }
}
