# Copyright 2026 Traccia Proxy authors
# SPDX-License-Identifier: Apache-2.0
"""A Python application with the OpenTelemetry SDK exporting to a proxy that requires TLS, a client
certificate and a bearer token, all configured the standard way, through environment variables:
OTEL_EXPORTER_OTLP_CERTIFICATE, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE, OTEL_EXPORTER_OTLP_CLIENT_KEY
and OTEL_EXPORTER_OTLP_HEADERS (authorization=Bearer%20<token>).

Usage: python otel_tls.py <proxy OTLP/HTTP base URL (https)> <proxy OTLP/gRPC endpoint (https)>
Exports one span over OTLP/HTTP and one over OTLP/gRPC with what the environment says, then one of
each with the wrong token. Prints one JSON line: the trace ids and whether each export succeeded.
Exits 0 whatever the results; the test asserts on them.
"""

import json

from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcSpanExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExportResult


def export_one(exporter, name):
    """Records one span named name and exports it with exporter; returns (trace id, succeeded)."""
    provider = TracerProvider(resource=Resource.create({"service.name": "python-tls-peer", "tenant.id": "spoofed"}))
    tracer = provider.get_tracer("traccia-proxy-python-peer", "1.0.0")
    with tracer.start_as_current_span(name) as span:
        pass
    trace_id = format(span.get_span_context().trace_id, "032x")
    result = exporter.export([span])
    exporter.shutdown()
    provider.shutdown()
    return trace_id, result == SpanExportResult.SUCCESS


def main():
    import sys

    http_base, grpc_endpoint = sys.argv[1:3]
    wrong = {"authorization": "Bearer not-the-token"}
    result = {}
    result["http_trace_id"], result["http_ok"] = export_one(
        HttpSpanExporter(endpoint=http_base + "/v1/traces", timeout=10), "python over http"
    )
    result["grpc_trace_id"], result["grpc_ok"] = export_one(
        GrpcSpanExporter(endpoint=grpc_endpoint, timeout=10), "python over grpc"
    )
    _, result["http_wrong_token_ok"] = export_one(
        HttpSpanExporter(endpoint=http_base + "/v1/traces", headers=wrong, timeout=10), "wrong token http"
    )
    _, result["grpc_wrong_token_ok"] = export_one(
        GrpcSpanExporter(endpoint=grpc_endpoint, headers=wrong, timeout=10), "wrong token grpc"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
