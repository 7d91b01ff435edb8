// Package app is the only place that wires Latchkey together: it builds every
// component from a Config, mounts the public and admin routes, and runs and
// stops the servers. Tests build the app through the same function.
package app
