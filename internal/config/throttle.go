package config

import "time"

// Throttle is Latchkey's brute-force protection (no reference key): limits
// on attempts per identifier seen from one client address and per client
// address, counted in the database.
type Throttle struct {
	Enabled *bool `yaml:"enabled"`
	// Identifier limits one identifier (sign-in, or the address a recovery
	// or verification mail goes to) tried from one client address.
	Identifier ThrottleRule `yaml:"identifier"`
	// Address limits one client address over every identifier and flow.
	Address ThrottleRule `yaml:"address"`
	// AccountLimit: after this many failures for one identifier from all
	// addresses in a window, only addresses without a failure of their own
	// may try it (0 turns the rule off).
	AccountLimit *int `yaml:"account_limit"`
}

// ThrottleRule: Free attempts per Window pass at once; each further one
// waits a delay that starts at Delay and doubles; past Limit the client is
// refused until the window ends.
type ThrottleRule struct {
	Free   *int      `yaml:"free"`
	Limit  int       `yaml:"limit"`
	Window Duration  `yaml:"window"`
	Delay  *Duration `yaml:"delay"`
}

func (t *Throttle) applyDefaults() {
	defBool(&t.Enabled, true)
	t.Identifier.applyDefaults(5, 10, 15*time.Minute, 2*time.Second)
	t.Address.applyDefaults(50, 200, 15*time.Minute, time.Second)
	if t.AccountLimit == nil {
		n := 100
		t.AccountLimit = &n
	}
}

func (r *ThrottleRule) applyDefaults(free, limit int, window, delay time.Duration) {
	if r.Free == nil {
		r.Free = &free
	}
	defInt(&r.Limit, limit)
	defDur(&r.Window, window)
	if r.Delay == nil {
		d := Duration(delay)
		r.Delay = &d
	}
}

func (t Throttle) validate(p *problems) {
	t.Identifier.validate(p, "throttle.identifier")
	t.Address.validate(p, "throttle.address")
	if *t.AccountLimit < 0 {
		p.add("throttle.account_limit", "%d is negative", *t.AccountLimit)
	}
}

func (r ThrottleRule) validate(p *problems, key string) {
	if *r.Free < 0 {
		p.add(key+".free", "%d is negative", *r.Free)
	}
	if r.Limit < 1 {
		p.add(key+".limit", "%d is not at least 1", r.Limit)
	}
	if r.Window <= 0 {
		p.add(key+".window", "must be positive")
	}
	if *r.Delay < 0 {
		p.add(key+".delay", "must not be negative")
	}
}
