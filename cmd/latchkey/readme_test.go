package main

import (
	"os"
	"strings"
	"testing"
)

// referenceCommands are the commands of the reference's CLI (v0.6.3).
var referenceCommands = []string{
	"serve", "migrate sql", "courier watch",
	"identities list", "identities get", "identities delete", "identities import", "identities validate",
	"jsonnet format", "jsonnet lint", "remote status", "remote version",
	"hashers argon2 calibrate", "hashers argon2 hash", "hashers argon2 load-test", "version", "help",
}

// TestREADMEReferenceVerbs: the README names every reference command once;
// those it says work exist in the command tree, the others do not.
func TestREADMEReferenceVerbs(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	start, end := strings.Index(s, "<!-- reference-verbs"), strings.Index(s, "<!-- /reference-verbs -->")
	if start < 0 || end < start {
		t.Fatal("README has no reference-verbs table")
	}
	rows := map[string]string{}
	for _, line := range strings.Split(s[start:end], "\n") {
		cells := strings.Split(line, "|")
		if len(cells) >= 4 && strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			rows[strings.Trim(strings.TrimSpace(cells[1]), "`")] = strings.TrimSpace(cells[2])
		}
	}
	for _, c := range referenceCommands {
		status, ok := rows[c]
		if !ok {
			t.Errorf("README does not name %q", c)
			continue
		}
		exists := c == "help" || findCommand(strings.Fields(c)) != nil
		if (status == "works") != exists {
			t.Errorf("README says %q %s, but the command tree has it: %v", c, status, exists)
		}
	}
	if len(rows) != len(referenceCommands) {
		t.Errorf("README's table has %d rows, the reference %d commands", len(rows), len(referenceCommands))
	}
}

func findCommand(path []string) *command {
	cmd := commands()
	for _, name := range path {
		var next *command
		for _, sub := range cmd.subs {
			if sub.name == name {
				next = sub
			}
		}
		if next == nil {
			return nil
		}
		cmd = next
	}
	return cmd
}
