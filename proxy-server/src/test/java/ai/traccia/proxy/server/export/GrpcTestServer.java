/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A real OTLP/gRPC server on 127.0.0.1 and a free port that records the raw bytes and headers of
 * each export and answers as the test says.
 */
final class GrpcTestServer implements AutoCloseable {

  /** One export as the server saw it. */
  static final class Received {
    final Signal signal;
    final byte[] body;
    final Metadata headers;

    Received(Signal signal, byte[] body, Metadata headers) {
      this.signal = signal;
      this.body = body;
      this.headers = headers;
    }

    String header(String name) {
      return headers.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
    }
  }

  /** What to answer: response bytes, an error, or nothing at all. */
  static final class Reply {
    final byte[] response;
    final StatusRuntimeException error;

    private Reply(byte[] response, StatusRuntimeException error) {
      this.response = response;
      this.error = error;
    }

    static Reply ok(byte[] response) {
      return new Reply(response, null);
    }

    static Reply error(StatusRuntimeException error) {
      return new Reply(null, error);
    }

    static Reply never() {
      return new Reply(null, null);
    }
  }

  private static final Context.Key<Metadata> HEADERS = Context.key("headers");

  final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
  volatile Function<Received, Reply> replies = r -> Reply.ok(new byte[0]);
  private final List<StreamObserver<byte[]>> unanswered = new CopyOnWriteArrayList<>();
  private final Server server;

  private GrpcTestServer(ServerCredentials credentials, List<Signal> signals) throws Exception {
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), credentials);
    ServerInterceptor captureHeaders =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            return Contexts.interceptCall(
                Context.current().withValue(HEADERS, headers), call, headers, next);
          }
        };
    for (Signal signal : signals) {
      MethodDescriptor<byte[], byte[]> method =
          MethodDescriptor.<byte[], byte[]>newBuilder()
              .setType(MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(signal.grpcExportMethod())
              .setRequestMarshaller(ByteArrayMarshaller.INSTANCE)
              .setResponseMarshaller(ByteArrayMarshaller.INSTANCE)
              .build();
      ServerServiceDefinition service =
          ServerServiceDefinition.builder(signal.grpcService())
              .addMethod(
                  method,
                  ServerCalls.asyncUnaryCall((body, observer) -> handle(signal, body, observer)))
              .build();
      builder.addService(ServerInterceptors.intercept(service, captureHeaders));
    }
    this.server = builder.build().start();
  }

  static GrpcTestServer start() throws Exception {
    return new GrpcTestServer(InsecureServerCredentials.create(), List.of(Signal.values()));
  }

  static GrpcTestServer start(ServerCredentials credentials, List<Signal> signals)
      throws Exception {
    return new GrpcTestServer(credentials, signals);
  }

  int port() {
    return server.getPort();
  }

  Received take() throws InterruptedException {
    Received r = received.poll(10, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("the server received nothing");
    }
    return r;
  }

  private void handle(Signal signal, byte[] body, StreamObserver<byte[]> observer) {
    Received r = new Received(signal, body, HEADERS.get());
    received.add(r);
    Reply reply = replies.apply(r);
    if (reply.error != null) {
      observer.onError(reply.error);
    } else if (reply.response != null) {
      observer.onNext(reply.response);
      observer.onCompleted();
    } else {
      unanswered.add(observer);
    }
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
