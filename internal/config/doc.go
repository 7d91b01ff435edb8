// Package config loads Latchkey's configuration: the reference's YAML/JSON
// file format and environment spelling, read once at start into a typed
// Config, defaulted and validated. Nothing reads configuration after that;
// components receive the values they need when internal/app builds them.
package config
