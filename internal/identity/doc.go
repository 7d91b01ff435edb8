// Package identity is the identity model (traits, credentials, verifiable and
// recovery addresses), the Manager that creates and updates identities under
// their JSON schema, and the admin API on /identities.
package identity
