# Copyright 2026 Traccia Proxy authors
# SPDX-License-Identifier: Apache-2.0
"""A Python application with only the OpenTelemetry SDK, sending GenAI-convention spans to the proxy.

Usage: python otel_genai.py <proxy OTLP/HTTP base URL> <proxy OTLP/gRPC endpoint> <scenario>
  usage           one chat span (gpt-4o, 1000 input and 500 output tokens, no cost) over OTLP/HTTP,
                  and the counter peer.llm.requests (value 1) over OTLP/HTTP metrics
  content-filter  one chat span whose response finish reason is content_filter, under an
                  invoke_agent root span, over OTLP/gRPC
  two-services    a root span in service python-orchestrator, then runs the Node peer (the
                  command in the NODE_PEER environment variable, split on spaces, with the
                  proxy's traces URL and "child" appended) with TRACEPARENT set to the root's
                  context; the Node peer's span joins the trace in service node-worker
Prints one JSON line with the trace id and the span ids, then exits 0 once everything has been
exported; exits 1 with a message on stderr otherwise.
"""

import json
import os
import subprocess
import sys

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcSpanExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpSpanExporter
from opentelemetry.propagate import inject
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind


def hex_ids(span):
    context = span.get_span_context()
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


def chat_span(tracer, model, finish_reason, input_tokens=None, output_tokens=None):
    attributes = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": model,
        "gen_ai.response.model": model,
        "gen_ai.response.finish_reasons": [finish_reason],
    }
    if input_tokens is not None:
        attributes["gen_ai.usage.input_tokens"] = input_tokens
        attributes["gen_ai.usage.output_tokens"] = output_tokens
    with tracer.start_as_current_span("chat " + model, kind=SpanKind.CLIENT, attributes=attributes) as span:
        return span


def main():
    http_base, grpc_endpoint, scenario = sys.argv[1:4]
    service = "python-orchestrator" if scenario == "two-services" else "python-genai-peer"
    resource = Resource.create({"service.name": service})
    if scenario == "content-filter":
        exporter = GrpcSpanExporter(endpoint=grpc_endpoint, insecure=True)
    else:
        exporter = HttpSpanExporter(endpoint=http_base + "/v1/traces")
    tracing = TracerProvider(resource=resource)
    tracing.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = tracing.get_tracer("traccia-proxy-python-peer", "1.0.0")
    result = {}

    if scenario == "usage":
        span = chat_span(tracer, "gpt-4o", "stop", input_tokens=1000, output_tokens=500)
        result["trace_id"], result["span_id"] = hex_ids(span)
        reader = PeriodicExportingMetricReader(
            OTLPMetricExporter(endpoint=http_base + "/v1/metrics"), export_interval_millis=3_600_000
        )
        metering = MeterProvider(resource=resource, metric_readers=[reader])
        counter = metering.get_meter("traccia-proxy-python-peer").create_counter(
            "peer.llm.requests", unit="{request}", description="LLM requests the peer made"
        )
        counter.add(1, {"gen_ai.request.model": "gpt-4o"})
        if not metering.force_flush(timeout_millis=10_000):
            raise SystemExit("the metrics could not be exported to " + http_base + "/v1/metrics")
        metering.shutdown()
    elif scenario == "content-filter":
        with tracer.start_as_current_span("invoke_agent support", attributes={"gen_ai.operation.name": "invoke_agent"}) as root:
            span = chat_span(tracer, "gpt-4o-mini", "content_filter", input_tokens=20, output_tokens=0)
        result["trace_id"], result["root_span_id"] = hex_ids(root)
        result["span_id"] = hex_ids(span)[1]
    elif scenario == "two-services":
        command = os.environ.get("NODE_PEER", "").split()
        if not command:
            raise SystemExit("scenario two-services needs NODE_PEER, the command that runs genai_spans.js")
        with tracer.start_as_current_span("invoke_agent orchestrator", attributes={"gen_ai.operation.name": "invoke_agent"}) as root:
            carrier = {}
            inject(carrier)
            child = subprocess.run(
                command + [http_base + "/v1/traces", "child"],
                env=dict(os.environ, TRACEPARENT=carrier["traceparent"]),
                capture_output=True,
                text=True,
                timeout=60,
            )
            if child.returncode != 0:
                raise SystemExit("the Node peer failed with exit code %d: %s" % (child.returncode, child.stderr))
            result["node"] = json.loads(child.stdout.strip().splitlines()[-1])
        result["trace_id"], result["root_span_id"] = hex_ids(root)
    else:
        raise SystemExit("unknown scenario " + scenario + " (expected usage, content-filter or two-services)")

    if not tracing.force_flush(timeout_millis=10_000):
        raise SystemExit("the spans could not be exported")
    tracing.shutdown()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
