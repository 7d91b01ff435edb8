package hook_test

import "os"

func zzDialect() string {
	if d := os.Getenv("ZZ_DIALECT"); d != "" {
		return d
	}
	return "sqlite"
}
