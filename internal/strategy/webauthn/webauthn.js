// Latchkey's WebAuthn helper: it turns the options a flow's trigger button
// carries into a navigator.credentials call and posts the answer with the
// trigger's form. It has the functions the later Kratos versions' script
// has, and also wires buttons that name one in data-webauthn-trigger, for
// pages whose Content-Security-Policy forbids inline handlers.
(function () {
  'use strict';

  function decode(s) {
    s = s.replace(/-/g, '+').replace(/_/g, '/');
    while (s.length % 4) s += '=';
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }

  function encode(buf) {
    if (!buf) return '';
    var bytes = new Uint8Array(buf), bin = '';
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function field(name) {
    return document.querySelector('*[name="' + name + '"]');
  }

  function submit(input, value) {
    input.value = JSON.stringify(value);
    var form = input.closest('form');
    if (form) form.submit();
  }

  function fail(err) {
    var input = field('webauthn_register') || field('webauthn_login');
    var form = input && input.closest('form');
    var note = form && form.querySelector('[data-webauthn-error]');
    if (note) {
      note.hidden = false;
      note.textContent = note.getAttribute('data-webauthn-error') + ' (' + (err && err.name ? err.name : 'Error') + ')';
    }
    if (window.console) console.error('webauthn:', err);
  }

  function descriptors(list) {
    return (list || []).map(function (c) {
      return Object.assign({}, c, { id: decode(c.id) });
    });
  }

  // accountName is the identifier typed into a sign-up form, for a key
  // made before the identity has one.
  function accountName(input) {
    var form = input.closest('form');
    if (!form) return '';
    var fields = form.querySelectorAll('input[name^="traits."]');
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value && (fields[i].type === 'email' || fields[i].type === 'text')) return fields[i].value;
    }
    return '';
  }

  function register(opt) {
    var input = field('webauthn_register');
    if (!input) return;
    var pk = Object.assign({}, opt.publicKey);
    pk.challenge = decode(pk.challenge);
    pk.user = Object.assign({}, pk.user, { id: decode(pk.user.id) });
    if (!pk.user.name) pk.user.name = accountName(input) || 'account';
    if (!pk.user.displayName) pk.user.displayName = pk.user.name;
    pk.excludeCredentials = descriptors(pk.excludeCredentials);
    navigator.credentials.create({ publicKey: pk }).then(function (cred) {
      submit(input, {
        id: cred.id, rawId: encode(cred.rawId), type: cred.type,
        response: { attestationObject: encode(cred.response.attestationObject), clientDataJSON: encode(cred.response.clientDataJSON) }
      });
    }).catch(fail);
  }

  function login(opt) {
    var input = field('webauthn_login');
    if (!input) return;
    var pk = Object.assign({}, opt.publicKey);
    pk.challenge = decode(pk.challenge);
    pk.allowCredentials = descriptors(pk.allowCredentials);
    navigator.credentials.get({ publicKey: pk }).then(function (cred) {
      submit(input, {
        id: cred.id, rawId: encode(cred.rawId), type: cred.type,
        response: {
          authenticatorData: encode(cred.response.authenticatorData), clientDataJSON: encode(cred.response.clientDataJSON),
          signature: encode(cred.response.signature), userHandle: encode(cred.response.userHandle)
        }
      });
    }).catch(fail);
  }

  function unsupported() {
    fail(new Error('the passkey method is not enabled on this server; use webauthn'));
  }

  window.oryWebAuthnRegistration = register;
  window.oryWebAuthnLogin = login;
  window.oryPasskeyLogin = unsupported;
  window.oryPasskeyRegistration = unsupported;
  window.oryPasskeySettingsRegistration = unsupported;
  window.oryPasskeyLoginAutocompleteInit = function () {};

  function wire() {
    var buttons = document.querySelectorAll('button[data-webauthn-trigger]');
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener('click', function (ev) {
        ev.preventDefault();
        var fn = window[this.getAttribute('data-webauthn-trigger')];
        if (typeof fn === 'function') fn(JSON.parse(this.value));
      });
    }
    document.dispatchEvent(new Event('oryWebAuthnInitialized'));
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', wire);
  } else {
    wire();
  }
})();
