/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import ai.traccia.proxy.server.export.Signal;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.metrics.SelfMetrics.RefuseReason;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Checks the bearer token in a gRPC call's {@code authorization} metadata. {@link #interceptCall}
 * runs when the call's headers arrive, before its message is requested, so a refused call's message
 * is never read: the call is closed {@code UNAUTHENTICATED} and counted with reason {@code
 * unauthenticated}. An accepted call with a tenant runs in a {@link Context} holding it ({@link
 * #TENANT}). Thread-safe.
 */
final class GrpcAuthInterceptor implements ServerInterceptor {

  /** The tenant of the current call, or null. */
  static final Context.Key<Tenant> TENANT = Context.key("traccia.tenant");

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final BearerAuth auth;
  private final SelfMetrics metrics;

  GrpcAuthInterceptor(BearerAuth auth, SelfMetrics metrics) {
    this.auth = auth;
    this.metrics = metrics;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    BearerAuth.Result result = auth.check(headers.get(AUTHORIZATION));
    if (!result.isAccepted()) {
      Signal signal = GrpcReceiver.signalOf(call.getMethodDescriptor().getFullMethodName());
      metrics.refused(
          signal == null ? Signal.TRACES : signal,
          GrpcReceiver.TRANSPORT,
          RefuseReason.UNAUTHENTICATED,
          0);
      call.close(Status.UNAUTHENTICATED.withDescription(result.message()), new Metadata());
      return new ServerCall.Listener<ReqT>() {};
    }
    if (result.tenant() == null) {
      return next.startCall(call, headers);
    }
    return Contexts.interceptCall(
        Context.current().withValue(TENANT, result.tenant()), call, headers, next);
  }
}
