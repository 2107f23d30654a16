// Copyright 2026 Traccia Proxy authors
// SPDX-License-Identifier: Apache-2.0
'use strict';

// A Node.js application with the OpenTelemetry Node SDK that sends LLM spans to the proxy over
// OTLP/HTTP (protobuf).
//
// Usage: node genai_spans.js <proxy OTLP/HTTP traces URL> <scenario>
//   instrumentations  one OpenLLMetry-style span and one OpenInference-style span, neither with
//                     token usage; prints {"trace_id": ...}
//   child             one OpenLLMetry-style span that continues the W3C traceparent in the
//                     TRACEPARENT environment variable, in service node-worker; prints
//                     {"trace_id": ..., "span_id": ...}
// Exits 0 once every span has been exported, 1 with a message on stderr otherwise.

const api = require('@opentelemetry/api');
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { resourceFromAttributes } = require('@opentelemetry/resources');

const [tracesUrl, scenario] = process.argv.slice(2);
if (!tracesUrl || !scenario) {
  console.error('usage: node genai_spans.js <traces URL> <instrumentations|child>');
  process.exit(2);
}

const serviceName = scenario === 'child' ? 'node-worker' : 'node-genai-peer';
const sdk = new NodeSDK({
  resource: resourceFromAttributes({ 'service.name': serviceName }),
  autoDetectResources: false,
  traceExporter: new OTLPTraceExporter({ url: tracesUrl }),
  instrumentations: [],
});
sdk.start();
const tracer = api.trace.getTracer('traccia-proxy-node-peer', '1.0.0');

/** An OpenLLMetry-shaped chat span: the prompt and completion as indexed attributes, no usage. */
function openLlmetrySpan(parentContext) {
  const span = tracer.startSpan(
    'openai.chat',
    {
      kind: api.SpanKind.CLIENT,
      attributes: {
        'llm.request.type': 'chat',
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.prompt.0.role': 'user',
        'gen_ai.prompt.0.content': 'Write one sentence about the sea.',
        'gen_ai.completion.0.role': 'assistant',
        'gen_ai.completion.0.content': 'The sea keeps every secret the wind tells it.',
      },
    },
    parentContext,
  );
  span.end();
  return span;
}

/** An OpenInference-shaped LLM span: input and output values, no token counts. */
function openInferenceSpan() {
  const span = tracer.startSpan('ChatCompletion', {
    attributes: {
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'gpt-4o-mini',
      'llm.provider': 'openai',
      'llm.system': 'openai',
      'input.value': 'What is the capital of France?',
      'input.mime_type': 'text/plain',
      'output.value': 'The capital of France is Paris.',
      'output.mime_type': 'text/plain',
    },
  });
  span.end();
  return span;
}

async function main() {
  let result;
  if (scenario === 'instrumentations') {
    const first = openLlmetrySpan(api.context.active());
    openInferenceSpan();
    result = { trace_id: first.spanContext().traceId };
  } else if (scenario === 'child') {
    const traceparent = process.env.TRACEPARENT;
    if (!traceparent) {
      throw new Error('scenario child needs the TRACEPARENT environment variable');
    }
    const parent = api.propagation.extract(api.ROOT_CONTEXT, { traceparent });
    if (!api.trace.getSpanContext(parent)) {
      throw new Error('TRACEPARENT is not a valid W3C traceparent: ' + traceparent);
    }
    const span = openLlmetrySpan(parent);
    result = { trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId };
  } else {
    throw new Error('unknown scenario ' + scenario + ' (expected instrumentations or child)');
  }
  await sdk.shutdown();
  console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
