/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler with its own clock: nothing runs until the test moves time forward, and then the due
 * tasks run on the test's thread, in order. Only {@code schedule(Runnable, ...)} is supported.
 */
final class FakeScheduler extends AbstractExecutorService implements ScheduledExecutorService {

  private final PriorityQueue<Task> tasks = new PriorityQueue<>();

  /** Every delay that was asked for, in order. */
  final List<Duration> delays = new ArrayList<>();

  private long now = 1_000_000_000L;
  private long sequence;
  private boolean shutdown;

  /** The fake monotonic clock, in nanoseconds. */
  synchronized long nanoTime() {
    return now;
  }

  /** Moves time forward by {@code duration}, running every task that falls due. */
  void advance(Duration duration) {
    long target;
    synchronized (this) {
      target = now + duration.toNanos();
    }
    while (true) {
      Task next;
      synchronized (this) {
        next = tasks.peek();
        if (next == null || next.time > target) {
          now = target;
          return;
        }
        tasks.poll();
        now = next.time;
      }
      next.runTask();
    }
  }

  /** Moves time to the next task and runs it; false when nothing is scheduled. */
  boolean runNext() {
    Task next;
    synchronized (this) {
      next = tasks.poll();
      if (next == null) {
        return false;
      }
      now = Math.max(now, next.time);
    }
    next.runTask();
    return true;
  }

  synchronized int pending() {
    return tasks.size();
  }

  @Override
  public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    if (shutdown) {
      throw new RejectedExecutionException("shut down");
    }
    long nanos = unit.toNanos(delay);
    delays.add(Duration.ofNanos(nanos));
    Task task = new Task(now + nanos, sequence++, command);
    tasks.add(task);
    return task;
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void execute(Runnable command) {
    command.run();
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> left = new ArrayList<>(tasks);
    tasks.clear();
    return left;
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown && tasks.isEmpty();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  private final class Task implements ScheduledFuture<Object>, Runnable {
    final long time;
    final long order;
    final Runnable command;
    private boolean cancelled;
    private boolean done;

    Task(long time, long order, Runnable command) {
      this.time = time;
      this.order = order;
      this.command = command;
    }

    void runTask() {
      synchronized (FakeScheduler.this) {
        if (cancelled) {
          return;
        }
        done = true;
      }
      command.run();
    }

    @Override
    public void run() {
      runTask();
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(time - nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      Task task = (Task) other;
      int byTime = Long.compare(time, task.time);
      return byTime != 0 ? byTime : Long.compare(order, task.order);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      synchronized (FakeScheduler.this) {
        if (done || cancelled) {
          return false;
        }
        cancelled = true;
        tasks.remove(this);
        return true;
      }
    }

    @Override
    public boolean isCancelled() {
      synchronized (FakeScheduler.this) {
        return cancelled;
      }
    }

    @Override
    public boolean isDone() {
      synchronized (FakeScheduler.this) {
        return done || cancelled;
      }
    }

    @Override
    public Object get() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }
  }
}
