package config

import (
	"strings"
	"testing"
)

// TestEveryReferenceKeyIsSupportedOrNamed: each key of the reference is
// either decoded into Config or listed in noEffect with a reason, never
// both and never neither, so no key is dropped without a word.
func TestEveryReferenceKeyIsSupportedOrNamed(t *testing.T) {
	for _, k := range referenceKeys {
		_, _, named := noEffectNote(k.Path)
		switch sup := supported(k.Path); {
		case sup && named:
			t.Errorf("%s is decoded into Config and also listed in noEffect: delete its noEffect line", k.Path)
		case !sup && !named:
			t.Errorf("%s is neither decoded into Config nor listed in noEffect", k.Path)
		}
	}
	for key := range noEffect {
		found := false
		for _, k := range referenceKeys {
			if k.Path == key || strings.HasPrefix(k.Path, key+".") {
				found = true
			}
		}
		if !found {
			t.Errorf("noEffect names %s, which is not a key of the reference", key)
		}
	}
}
