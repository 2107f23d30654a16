/** Model prices: the bundled snapshot, the price book and its precedence. */
package ai.traccia.proxy.pricing;
