package io.dumpsink.agent.pipeline;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The dumps waiting for an upload worker, served fairly across pods: each pod (its namespace and pod name) has its
 * own queue, oldest dump first, and workers take from the pods in turn. A pod that drops a thousand files (or a
 * crash-looping one) gets one upload slot in turn like every other pod, instead of making every other pod's dump
 * wait behind all of its own. Thread-safe; {@link #poll} blocks for at most the given time.
 */
final class FairQueue<T> {
    private final Function<T, String> owner;
    private final Comparator<T> order;
    private final Map<String, PriorityQueue<T>> byOwner = new HashMap<>();
    /** Owners with waiting items, in the order they are served next. */
    private final ArrayDeque<String> turns = new ArrayDeque<>();
    private int size;

    FairQueue(Function<T, String> owner, Comparator<T> order) {
        this.owner = owner;
        this.order = order;
    }

    synchronized void add(T item) {
        String key = owner.apply(item);
        PriorityQueue<T> queue = byOwner.computeIfAbsent(key, k -> new PriorityQueue<>(order));
        if (queue.isEmpty()) {
            turns.addLast(key);
        }
        queue.add(item);
        size++;
        notifyAll();
    }

    /** The oldest item of the owner whose turn it is, waiting up to {@code timeout}; null when none came. */
    synchronized T poll(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (size == 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        String key = turns.removeFirst();
        PriorityQueue<T> queue = byOwner.get(key);
        T item = queue.poll();
        size--;
        if (queue.isEmpty()) {
            byOwner.remove(key);
        } else {
            turns.addLast(key); // the next item of this owner waits for every other owner's turn
        }
        return item;
    }

    synchronized int size() {
        return size;
    }
}
