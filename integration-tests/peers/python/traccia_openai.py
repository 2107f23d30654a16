# Copyright 2026 Traccia Proxy authors
# SPDX-License-Identifier: Apache-2.0
"""The Traccia Python SDK, with its OpenAI instrumentation, sending one chat completion's span to the proxy.

Usage: python traccia_openai.py <proxy OTLP/HTTP traces URL>

The OpenAI client talks to the local stub in stub_openai.py. The SDK computes its own token usage
and cost; its metrics go to the proxy's /v1/metrics. Prints one JSON line with the trace id, the
model, the SDK version and which pricing table the SDK used, then exits 0 once every span has been flushed.
"""

import json
import sys

import openai
import traccia
from traccia import pricing_config

import stub_openai

MODEL = "gpt-4o-mini"


def main():
    traces_url = sys.argv[1]
    server, base_url = stub_openai.start()
    try:
        traccia.init(
            endpoint=traces_url,
            metrics_endpoint=traces_url.rsplit("/v1/traces", 1)[0] + "/v1/metrics",
            auto_start_trace=False,
            service_name="traccia-python-peer",
            agent_id="support-bot",
            agent_name="Support Bot",
            env="production",
            enable_costs=True,
            enable_token_counting=True,
            schedule_delay_millis=100,
        )
        client = openai.OpenAI(base_url=base_url, api_key="not-a-real-key")
        with traccia.trace("support-request") as root:
            answer = client.chat.completions.create(
                model=MODEL,
                messages=[
                    {"role": "system", "content": "You are terse."},
                    {"role": "user", "content": "Hi"},
                ],
            )
            trace_id = root.context.trace_id if root is not None else None
        traccia.stop_tracing(flush_timeout=10)
        _, pricing_source, pricing_generated_at = pricing_config.load_pricing_with_source(None)
        print(
            json.dumps(
                {
                    "trace_id": trace_id,
                    "model": MODEL,
                    "answer": answer.choices[0].message.content,
                    "sdk_version": traccia.__version__,
                    "sdk_pricing_source": pricing_source,
                    "sdk_pricing_generated_at": pricing_generated_at,
                }
            )
        )
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
