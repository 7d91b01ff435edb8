// Package schema loads identity JSON schemas, validates traits against them
// and reads the ory.sh/kratos extension: which traits are password
// identifiers, which addresses are verified and used for recovery. It also
// serves GET /schemas/{id}.
package schema
