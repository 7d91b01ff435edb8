package ui

import (
	"encoding/json"

	"github.com/latchkey/latchkey/internal/text"
)

// Image and text nodes (a TOTP QR code, a secret to copy, recovery codes)
// carry only the attributes the v0.6.3 SDK knows, src or text: it decodes
// attributes strictly, so one more key would make it refuse the whole
// flow. Their names are kept apart, recovered from the group when a flow
// is read back.

// Image makes an img node showing src (a data: URL).
func Image(group, name, src string, label *text.Message) Node {
	return Node{Type: "img", Group: group, Attributes: Attributes{Name: name, ImageSrc: src}, Meta: Meta{Label: label}}
}

// Text makes a text node showing m.
func Text(group, name string, m text.Message, label *text.Message) Node {
	return Node{Type: "text", Group: group, Attributes: Attributes{Name: name, Text: &m}, Meta: Meta{Label: label}}
}

// mediaNames names the img and text nodes by group and type: a group has
// at most one of each.
var mediaNames = map[string]string{
	GroupTOTP + "/img":    "totp_qr",
	GroupTOTP + "/text":   "totp_secret_key",
	GroupLookup + "/text": "lookup_secret_codes",
}

type inputAttributes Attributes // without the methods, for the default encoding

// MarshalJSON writes an img or text node's one attribute, or an input's.
func (a Attributes) MarshalJSON() ([]byte, error) {
	switch {
	case a.Text != nil:
		return json.Marshal(struct {
			Text *text.Message `json:"text"`
		}{a.Text})
	case a.ImageSrc != "":
		return json.Marshal(struct {
			Src string `json:"src"`
		}{a.ImageSrc})
	}
	return json.Marshal(inputAttributes(a))
}

// UnmarshalJSON reads any of the three shapes back.
func (a *Attributes) UnmarshalJSON(b []byte) error {
	var media struct {
		Src      string        `json:"src"`
		Text     *text.Message `json:"text"`
		NodeType string        `json:"node_type"`
	}
	if err := json.Unmarshal(b, &media); err != nil {
		return err
	}
	switch {
	case media.Text != nil:
		*a = Attributes{Text: media.Text}
		return nil
	case media.Src != "" && media.NodeType == "":
		// A script node has a src too, but says what it is.
		*a = Attributes{ImageSrc: media.Src}
		return nil
	}
	return json.Unmarshal(b, (*inputAttributes)(a))
}

// UnmarshalJSON restores the names of img and text nodes.
func (n *Node) UnmarshalJSON(b []byte) error {
	type plain Node
	if err := json.Unmarshal(b, (*plain)(n)); err != nil {
		return err
	}
	if n.Type == "img" || n.Type == "text" {
		n.Attributes.Name = mediaNames[n.Group+"/"+n.Type]
	}
	return nil
}
