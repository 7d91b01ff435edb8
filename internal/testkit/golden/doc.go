// Package golden compares what a test observed with a file recorded under
// the test package's testdata folder, so that a change to the wire shows
// up as a readable diff instead of passing unnoticed. Running the tests
// with -update records the files anew.
package golden
