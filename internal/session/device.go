package session

import "strings"

// Name words the device for people through t (a locale printer's T):
// "Firefox on Linux" (key device.browser_on) for the browsers and systems
// people recognise, else the user agent itself, shortened, else
// device.unknown.
func (d Device) Name(t func(key string, args ...string) string) string {
	browser, system := d.Describe()
	switch {
	case browser != "" && system != "":
		return t("device.browser_on", "browser", browser, "system", system)
	case browser != "":
		return browser
	}
	ua := strings.TrimSpace(d.UserAgent)
	if r := []rune(ua); len(r) > 60 {
		ua = string(r[:60]) + "…"
	}
	if ua == "" {
		return t("device.unknown")
	}
	return ua
}

// Describe names the browser and system a user agent says it is, for the
// browsers and systems people recognise ("Firefox", "Linux"); either is ""
// when the agent names none.
func (d Device) Describe() (browser, system string) {
	return firstMatch(d.UserAgent, browsers), firstMatch(d.UserAgent, systems)
}

// Order matters: Edge and Opera also say Chrome, Chrome also says Safari,
// Android also says Linux.
var (
	browsers = [][2]string{{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"Chrome/", "Chrome"}, {"Chromium/", "Chromium"}, {"Safari/", "Safari"}}
	systems  = [][2]string{{"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"Windows", "Windows"}, {"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"}}
)

func firstMatch(ua string, table [][2]string) string {
	for _, m := range table {
		if strings.Contains(ua, m[0]) {
			return m[1]
		}
	}
	return ""
}

// SameClient reports whether two devices are the same browser at the same
// address: what "a device seen before" means to the new-device notice.
func (d Device) SameClient(o Device) bool {
	return d.UserAgent == o.UserAgent && d.IPAddress == o.IPAddress
}
