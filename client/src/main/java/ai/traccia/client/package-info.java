/** The thin Java client of Traccia Proxy. */
package ai.traccia.client;
