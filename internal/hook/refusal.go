package hook

import (
	"encoding/json"
	"strings"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/text"
)

// refusal is a can_interrupt hook's answer: messages for the user, each
// for the form or for the field its instance_ptr names, in the shape
// later versions of the reference read:
//
//	{"messages":[{"instance_ptr":"#/traits/email","messages":[{"id":4000001,"text":"...","type":"error"}]}]}
type refusal struct {
	Messages []struct {
		InstancePtr string         `json:"instance_ptr"`
		Messages    []text.Message `json:"messages"`
	} `json:"messages"`
}

func (r *refusal) Error() string { return "the web hook refused the flow: " + r.text() }

func parseRefusal(raw []byte) *refusal {
	var r refusal
	if json.Unmarshal(raw, &r) != nil || len(r.Messages) == 0 {
		return nil
	}
	for _, m := range r.Messages {
		if len(m.Messages) > 0 {
			return &r
		}
	}
	return nil
}

// show puts the messages on the flow's form, on the field named by each
// instance pointer when the form has it.
func (r *refusal) show(f *flow.Flow) {
	for _, group := range r.Messages {
		name := strings.ReplaceAll(strings.Trim(strings.TrimPrefix(group.InstancePtr, "#"), "/"), "/", ".")
		for _, m := range group.Messages {
			if m.Type == "" || m.Type == "validation" {
				m.Type = "error"
			}
			if name != "" && f.UI.Node(name) != nil {
				f.UI.AddNodeMessage(name, m)
			} else {
				f.UI.AddMessage(m)
			}
		}
	}
}

func (r *refusal) text() string {
	var parts []string
	for _, g := range r.Messages {
		for _, m := range g.Messages {
			parts = append(parts, m.Text)
		}
	}
	return strings.Join(parts, " ")
}
