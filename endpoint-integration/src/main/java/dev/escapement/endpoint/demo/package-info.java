/**
 * The demo that is the README's main command (SPEC E3): {@link dev.escapement.endpoint.demo.EndpointDemo}
 * runs a server and many client connections on loopback over a simulated lossy link, prints
 * progress each second and a final report, and verifies that no frame was lost silently and
 * that no timer was left behind. It uses only the endpoint's public API.
 */
package dev.escapement.endpoint.demo;
