package password

import (
	"bufio"
	"context"
	"crypto/sha1"
	_ "embed"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

//go:embed common-passwords.txt
var commonPasswordList string

// Policy decides whether a password may be used.
type Policy struct {
	MinLength           int // in code points
	CheckBreaches       bool
	BreachHost          string // "api.pwnedpasswords.com" or a full base URL
	MaxBreaches         int
	IgnoreNetworkErrors bool
	// Timeout bounds one lookup (default 1 s).
	Timeout time.Duration
	Client  *http.Client
	Log     *slog.Logger
	// Now is the clock that spaces out warnings about failed lookups.
	Now    func() time.Time
	common map[string]bool
	warned *warnLimiter
}

// breachWarnEvery spaces out warnings about an unreachable breach service:
// one per period says it is down; one per request would drown the log.
const breachWarnEvery = 5 * time.Minute

type warnLimiter struct {
	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// allow reports whether to log now, and how many warnings were held back
// since the last one.
func (l *warnLimiter) allow(now time.Time) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.last.IsZero() && now.Sub(l.last) < breachWarnEvery {
		l.suppressed++
		return false, 0
	}
	held := l.suppressed
	l.last, l.suppressed = now, 0
	return true, held
}

// MaxBytes bounds a password before any hashing or comparison.
const MaxBytes = 1024

// NewPolicy loads the built-in list of common passwords.
func NewPolicy(p Policy) *Policy {
	p.common = map[string]bool{}
	for _, line := range strings.Split(commonPasswordList, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			p.common[strings.ToLower(line)] = true
		}
	}
	if p.Timeout <= 0 {
		p.Timeout = time.Second
	}
	if p.Client == nil {
		p.Client = &http.Client{}
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	p.warned = &warnLimiter{}
	return &p
}

// Check returns "" when the password may be used, or the reason it may not,
// phrased to follow "The password can not be used because ".
func (p *Policy) Check(ctx context.Context, password string, identifiers []string) string {
	if reason := p.CheckLocal(password, identifiers); reason != "" || !p.CheckBreaches {
		return reason
	}
	return p.checkBreaches(ctx, password)
}

// CheckLocal applies the rules that need no network: length, encoding,
// similarity to the identifiers and the list of common passwords.
func (p *Policy) CheckLocal(password string, identifiers []string) string {
	if n := utf8.RuneCountInString(password); n < p.MinLength {
		return fmt.Sprintf("it has %s, and at least %d are required.", plural(n, "character"), p.MinLength)
	}
	if len(password) > MaxBytes {
		return fmt.Sprintf("it is longer than %d bytes.", MaxBytes)
	}
	if !utf8.ValidString(password) {
		return "it is not valid UTF-8 text."
	}
	lower := strings.ToLower(password)
	for _, id := range identifiers {
		if tooSimilar(lower, strings.ToLower(id)) {
			return "it is too similar to the user identifier."
		}
	}
	if p.common[lower] {
		return "it is one of the most common passwords and would be guessed quickly."
	}
	return ""
}

// tooSimilar compares a password with an identifier (and an email's local
// part): a long common substring means one gives the other away. Inputs are
// bounded (password 1024 bytes, identifier 255), so the quadratic scan is too.
func tooSimilar(password, identifier string) bool {
	candidates := []string{identifier}
	if local, _, ok := strings.Cut(identifier, "@"); ok {
		candidates = append(candidates, local)
	}
	for _, c := range candidates {
		if len(c) < 4 {
			continue
		}
		common := longestCommonSubstring(password, c)
		if common*2 >= len(password) || common*3 >= len(c)*2 {
			return true
		}
	}
	return false
}

func longestCommonSubstring(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	best := 0
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				cur[j] = prev[j-1] + 1
				best = max(best, cur[j])
			} else {
				cur[j] = 0
			}
		}
		prev, cur = cur, prev
	}
	return best
}

// checkBreaches asks the HaveIBeenPwned range API with the first five hex
// digits of the SHA-1 (k-anonymity: the password never leaves the server).
func (p *Policy) checkBreaches(ctx context.Context, password string) string {
	sum := sha1.Sum([]byte(password))
	digest := strings.ToUpper(hex.EncodeToString(sum[:]))
	count, err := p.breachCount(ctx, digest[:5], digest[5:])
	if err != nil {
		if ok, held := p.warned.allow(p.Now()); ok && p.Log != nil {
			p.Log.WarnContext(ctx, "breached-password check failed; further failures are logged at most every 5 minutes",
				"error", err.Error(), "failures_not_logged", held)
		}
		if p.IgnoreNetworkErrors {
			return ""
		}
		return "the breached-password database could not be reached; try again later."
	}
	if count > p.MaxBreaches {
		return fmt.Sprintf("it appears in data breaches %d times and must no longer be used.", count)
	}
	return ""
}

func (p *Policy) breachCount(ctx context.Context, prefix, suffix string) (int, error) {
	base := p.BreachHost
	if !strings.Contains(base, "://") {
		base = "https://" + base
	}
	ctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base, "/")+"/range/"+prefix, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Add-Padding", "true")
	resp, err := p.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("range API answered %s", resp.Status)
	}
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 4<<20))
	for sc.Scan() {
		hashSuffix, countText, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if ok && strings.EqualFold(hashSuffix, suffix) {
			n, err := strconv.Atoi(countText)
			if err != nil {
				return 0, fmt.Errorf("range API sent a malformed count")
			}
			return n, nil
		}
	}
	return 0, sc.Err()
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
