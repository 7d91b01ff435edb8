package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"
)

// MaxBodyBytes bounds every request body. Identity traits and flow
// submissions are small; a larger body is refused before it is read whole.
const MaxBodyBytes = 256 << 10

// ReadBody reads a bounded request body, answering 413 past the limit.
func ReadBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > MaxBodyBytes {
		return nil, ErrTooLarge.WithReason("the body is %d bytes; the limit is %d", r.ContentLength, MaxBodyBytes)
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, ErrTooLarge.WithReason("the body is larger than the limit of %d bytes", MaxBodyBytes)
		}
		return nil, ErrBadRequest.WithReason("the request body could not be read").WithCause(err)
	}
	return b, nil
}

// MediaType is the request's content type without parameters, lower-cased.
func MediaType(r *http.Request) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return strings.ToLower(mt)
}

// DecodeJSONAnyType is DecodeJSON for endpoints whose clients are known to
// send JSON without saying so (the reference accepts it there).
func DecodeJSONAnyType(w http.ResponseWriter, r *http.Request, v any) error {
	b, err := ReadBody(w, r)
	if err != nil {
		return err
	}
	return decodeBytes(b, v, false)
}

// DecodeJSON reads a JSON request body into v. It refuses what a lenient
// decoder would silently accept: another content type, invalid UTF-8,
// duplicate keys, NUL characters, trailing data, and (when strict) fields
// that v does not have.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any, strict bool) error {
	if mt := MediaType(r); mt != "application/json" {
		return ErrUnsupportedMedia.WithReason("send the body as application/json")
	}
	b, err := ReadBody(w, r)
	if err != nil {
		return err
	}
	return decodeBytes(b, v, strict)
}

func decodeBytes(b []byte, v any, strict bool) error {
	if err := CheckJSON(b); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return ErrBadRequest.WithReason("the JSON body does not fit: %s", jsonProblem(err))
	}
	return nil
}

// CheckJSON validates a raw JSON document the way DecodeJSON does.
func CheckJSON(b []byte) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return ErrBadRequest.WithReason("the request body is empty; send a JSON object")
	}
	if !utf8.Valid(b) {
		return ErrBadRequest.WithReason("the request body is not valid UTF-8")
	}
	if err := scanJSON(b); err != nil {
		return ErrBadRequest.WithReason("%s", err.Error())
	}
	return nil
}

// scanJSON walks the token stream once to find syntax errors, trailing data,
// duplicate object keys and NUL characters in strings (which PostgreSQL
// cannot store and which no identifier legitimately contains).
func scanJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	type frame struct {
		obj    bool
		keys   map[string]bool
		expKey bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if len(stack) != 0 {
				return errors.New("the JSON body is truncated")
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("the body is not valid JSON: %s", jsonProblem(err))
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if s, ok := tok.(string); ok && strings.IndexByte(s, 0) >= 0 {
			return errors.New("the JSON body contains a NUL character")
		}
		if top != nil && top.obj && top.expKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				if len(stack) == 0 && dec.More() {
					return errors.New("the body has data after the JSON value")
				}
				continue
			}
			key := tok.(string)
			if top.keys[key] {
				return fmt.Errorf("the JSON body repeats the key %q", key)
			}
			top.keys[key] = true
			top.expKey = false
			continue
		}
		if top != nil && top.obj {
			top.expKey = true
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{obj: true, keys: map[string]bool{}, expKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 0 && dec.More() {
			return errors.New("the body has data after the JSON value")
		}
	}
}

func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d: %s", se.Offset, se.Error())
	case errors.As(err, &te):
		if te.Field != "" {
			return fmt.Sprintf("field %q must be %s, not %s", te.Field, te.Type.String(), te.Value)
		}
		return fmt.Sprintf("expected %s, not %s", te.Type.String(), te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "the JSON is truncated"
	}
	return err.Error()
}
