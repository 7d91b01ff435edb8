// Package locale picks the language a person reads the built-in pages in
// and looks Latchkey's texts up in it.
//
// Catalogs are flat JSON objects from a key to a text, one file per
// language (en.json, de.json, ...). Message keys are the reference's message
// ids ("msg.4000002"), so an API client can use the same catalogs for the
// ids it receives. English is complete; another language falls back to
// English for a key it lacks. A deployment adds languages or overrides texts
// with files of the same names in ui.translations_path.
package locale
