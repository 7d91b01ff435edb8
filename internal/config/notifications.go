package config

// Notifications are Latchkey's security notices (no reference key): mail
// to the person whose account changed. Each is off unless turned on.
type Notifications struct {
	// PasswordChanged: the password was changed in settings.
	PasswordChanged bool `yaml:"password_changed"`
	// SecondFactor: a second factor was added or removed.
	SecondFactor bool `yaml:"second_factor"`
	// NewDevice: a sign-in came from a browser and address the account
	// had not signed in from before.
	NewDevice bool `yaml:"new_device"`
}
