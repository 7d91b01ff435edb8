package golden

import "testing"

func TestDiff(t *testing.T) {
	a := "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3,\n  \"d\": 4,\n  \"e\": 5,\n  \"f\": 6,\n  \"g\": 7\n}"
	b := "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3,\n  \"d\": 40,\n  \"e\": 5,\n  \"f\": 6,\n  \"g\": 7,\n  \"h\": 8\n}"
	want := "  …\n" +
		"    \"a\": 1,\n" +
		"    \"b\": 2,\n" +
		"    \"c\": 3,\n" +
		"-   \"d\": 4,\n" +
		"+   \"d\": 40,\n" +
		"    \"e\": 5,\n" +
		"    \"f\": 6,\n" +
		"-   \"g\": 7\n" +
		"+   \"g\": 7,\n" +
		"+   \"h\": 8\n" +
		"  }"
	if got := Diff(a, b); got != want {
		t.Errorf("Diff =\n%s\nwant\n%s", got, want)
	}
	if got := Diff("same\n", "same\n"); got != "  …" {
		t.Errorf("Diff of equal texts = %q, want only the elision mark", got)
	}
}
