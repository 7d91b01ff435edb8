// Package config loads Latchkey's configuration: the reference's YAML, JSON
// or TOML file format and environment spelling, read once at start into a
// typed Config, defaulted and validated section by section. Nothing reads
// configuration after that; components receive the values they need when
// internal/app builds them.
//
// The supported keys are Config's fields. reference.go lists every key of
// the reference's schema; keys.go says which of those have no effect
// (named in a warning at start) and refuses keys that are in neither.
// To support a reference key, add its field and delete its noEffect line.
package config
