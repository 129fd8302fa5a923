/*
 * common.js - shared by the victim pages: language, translation, element
 * building, fetch helpers, problem+json display, error summary and inline
 * field errors, the taxonomy, advice lists and identifier rows.
 *
 * Data from the server or the user is only ever put into the page with
 * textContent, createTextNode or setAttribute: never as HTML.
 */
'use strict';

(function () {
  var S = {};
  var LANG_KEY = 'signaal.lang';
  var STRINGS = window.SIGNAAL_I18N || { nl: {}, en: {} };

  S.KINDS = ['iban', 'phone', 'url', 'domain', 'email', 'crypto', 'handle'];
  S.RECIPIENTS = ['bank', 'police', 'helpdesk', 'victim_support', 'platform'];
  S.IDENT_MAX = 20;
  S.TEXT_MAX = 10000;

  /* ---------- language ---------- */

  function storedLang() {
    try {
      var l = window.localStorage.getItem(LANG_KEY);
      if (l === 'nl' || l === 'en') return l;
    } catch (e) { /* storage may be disabled */ }
    return 'nl';
  }

  S.lang = storedLang();

  S.t = function (key, vars) {
    var s = (STRINGS[S.lang] && STRINGS[S.lang][key]);
    if (s === undefined) s = STRINGS.nl[key];
    if (s === undefined) return key;
    if (vars) {
      s = s.replace(/\{(\w+)\}/g, function (m, name) {
        return Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : m;
      });
    }
    return s;
  };

  /* A translation with a fallback when the key is unknown (e.g. a new status code). */
  S.tOr = function (key, fallback) {
    var s = S.t(key);
    return s === key ? fallback : s;
  };

  S.applyI18n = function (root) {
    root = root || document;
    root.querySelectorAll('[data-i18n]').forEach(function (n) {
      var args = null;
      if (n.dataset.i18nArgs) {
        try { args = JSON.parse(n.dataset.i18nArgs); } catch (e) { args = null; }
      }
      n.textContent = S.t(n.dataset.i18n, args);
    });
    root.querySelectorAll('[data-i18n-attr]').forEach(function (n) {
      n.dataset.i18nAttr.split(';').forEach(function (pair) {
        var p = pair.split(':');
        if (p.length === 2) n.setAttribute(p[0].trim(), S.t(p[1].trim()));
      });
    });
    root.querySelectorAll('[data-tax]').forEach(function (n) {
      var p = n.dataset.tax.split('|');
      n.textContent = S.taxText(p[0], p[1], p[2] || 'label');
    });
  };

  function updateToggle() {
    var btn = document.getElementById('lang-toggle');
    if (!btn) return;
    var other = S.lang === 'nl' ? 'en' : 'nl';
    btn.textContent = other === 'en' ? 'English' : 'Nederlands';
    btn.setAttribute('lang', other);
  }

  S.setLang = function (l) {
    if (l !== 'nl' && l !== 'en') return;
    S.lang = l;
    try { window.localStorage.setItem(LANG_KEY, l); } catch (e) { /* ignore */ }
    document.documentElement.lang = l;
    S.applyI18n();
    updateToggle();
    document.dispatchEvent(new CustomEvent('signaal:lang', { detail: l }));
  };

  S.locale = function () {
    return S.lang === 'en' ? 'en-GB' : 'nl-NL';
  };

  /* ---------- elements ---------- */

  /*
   * el('p', {className: 'hint', id: 'x', text: 'plain text'}, [children])
   * Attribute values are set with setAttribute, text with textContent.
   */
  S.el = function (tag, attrs, children) {
    var n = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'text') n.textContent = String(v);
        else if (k === 'className') n.className = v;
        else if (k === 'i18n') n.dataset.i18n = v;
        else if (k === 'i18nArgs') n.dataset.i18nArgs = JSON.stringify(v);
        else if (k === 'tax') n.dataset.tax = v;
        else n.setAttribute(k, v === true ? '' : String(v));
      });
      if (attrs.i18n && attrs.text === undefined) n.textContent = S.t(attrs.i18n, attrs.i18nArgs);
      if (attrs.tax && attrs.text === undefined) {
        var p = attrs.tax.split('|');
        n.textContent = S.taxText(p[0], p[1], p[2] || 'label');
      }
    }
    S.append(n, children);
    return n;
  };

  S.append = function (parent, children) {
    if (children === null || children === undefined) return parent;
    if (!Array.isArray(children)) children = [children];
    children.forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      if (Array.isArray(c)) S.append(parent, c);
      else if (typeof c === 'string' || typeof c === 'number') parent.appendChild(document.createTextNode(String(c)));
      else parent.appendChild(c);
    });
    return parent;
  };

  S.clear = function (n) {
    while (n && n.firstChild) n.removeChild(n.firstChild);
    return n;
  };

  S.$ = function (id) { return document.getElementById(id); };

  S.focus = function (n) {
    if (!n) return;
    if (!n.hasAttribute('tabindex') && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(n.tagName)) {
      n.setAttribute('tabindex', '-1');
    }
    n.focus();
    if (n.scrollIntoView) n.scrollIntoView({ block: 'center' });
  };

  S.formatDate = function (iso, withTime) {
    if (!iso) return '';
    var d = new Date(iso);
    if (isNaN(d.getTime())) return String(iso);
    var opts = { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Amsterdam' };
    if (withTime !== false) { opts.hour = '2-digit'; opts.minute = '2-digit'; }
    try {
      return new Intl.DateTimeFormat(S.locale(), opts).format(d);
    } catch (e) {
      return d.toLocaleString();
    }
  };

  S.formatEuros = function (cents) {
    try {
      return new Intl.NumberFormat(S.locale(), { style: 'currency', currency: 'EUR' }).format(cents / 100);
    } catch (e) {
      return '€ ' + (cents / 100).toFixed(2);
    }
  };

  /* ---------- fetch ---------- */

  /*
   * Returns {ok, status, data, headers, problem}; never throws.  A network
   * failure gives status 0.  problem is the problem+json body (or {}) when
   * the status is not 2xx.
   */
  S.api = function (method, path, body, opts) {
    opts = opts || {};
    var headers = { Accept: 'application/json, application/problem+json' };
    var init = { method: method, headers: headers, credentials: 'same-origin', cache: opts.cache || 'no-store', redirect: 'error' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (opts.headers) Object.keys(opts.headers).forEach(function (k) { headers[k] = opts.headers[k]; });
    return window.fetch(path, init).then(function (res) {
      var ct = res.headers.get('Content-Type') || '';
      var parse = (res.status !== 204 && /json/i.test(ct)) ? res.json().catch(function () { return null; }) : Promise.resolve(null);
      return parse.then(function (data) {
        var out = { ok: res.ok, status: res.status, data: data, headers: res.headers };
        if (!res.ok) out.problem = (data && typeof data === 'object') ? data : {};
        return out;
      });
    }, function () {
      return { ok: false, status: 0, data: null, headers: null, problem: {} };
    });
  };

  /* ---------- case and request codes (see src/casecode.c) ---------- */

  var CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

  function luhn32(v, n) {
    var sum = 0, factor = 2;
    for (var i = n - 1; i >= 0; i--) {
      var addend = factor * v[i];
      factor = factor === 2 ? 1 : 2;
      sum += Math.floor(addend / 32) + addend % 32;
    }
    return (32 - sum % 32) % 32;
  }

  /*
   * A case or request code as typed, in its written form (27 symbols in
   * groups of four joined by dashes), or null when it cannot be one.  Case, spaces and dashes do not matter;
   * I and L read as 1, O as 0 (Crockford's base32).  The check symbol
   * catches typing mistakes before a request is made (wrong codes are
   * rate-limited).
   */
  S.normaliseCode = function (text) {
    var v = [];
    var s = String(text).toUpperCase();
    for (var i = 0; i < s.length; i++) {
      var c = s.charAt(i);
      if (c === '-' || /\s/.test(c)) continue;
      if (c === 'I' || c === 'L') c = '1';
      else if (c === 'O') c = '0';
      var x = CODE_ALPHABET.indexOf(c);
      if (x < 0) return null;
      v.push(x);
    }
    if (v.length !== 27 || v[0] > 7 || luhn32(v, 26) !== v[26]) return null;
    var out = '';
    v.forEach(function (x, j) {
      if (j && j % 4 === 0) out += '-';
      out += CODE_ALPHABET.charAt(x);
    });
    return out;
  };

  S.newIdempotencyKey = function () {
    if (window.crypto && window.crypto.randomUUID) {
      try { return window.crypto.randomUUID(); } catch (e) { /* not a secure context */ }
    }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
  };

  /* Seconds from a Retry-After header (delta-seconds or HTTP date), or null. */
  S.retryAfter = function (res) {
    var v = res && res.headers && res.headers.get('Retry-After');
    if (!v) return null;
    if (/^\d+$/.test(v.trim())) return parseInt(v, 10);
    var d = Date.parse(v);
    if (isNaN(d)) return null;
    return Math.max(0, Math.round((d - Date.now()) / 1000));
  };

  /* One sentence for a failed request (not the per-field errors). */
  S.problemText = function (res) {
    if (!res || res.status === 0) return S.t('errNetwork');
    if (res.status === 429) {
      var s = S.retryAfter(res);
      return s ? S.t('errTooMany', { minutes: Math.max(1, Math.ceil(s / 60)) }) : S.t('errTooManySoon');
    }
    if (res.status >= 500) return S.t('errServer');
    var p = res.problem || {};
    var parts = [];
    if (typeof p.title === 'string' && p.title) parts.push(p.title);
    if (typeof p.detail === 'string' && p.detail && p.detail !== p.title) parts.push(p.detail);
    return parts.length ? parts.join(': ') : S.t('errServer');
  };

  /* The [{field, message}] of a problem, cleaned. */
  S.problemErrors = function (res) {
    var errs = res && res.problem && Array.isArray(res.problem.errors) ? res.problem.errors : [];
    return errs.filter(function (e) { return e && typeof e === 'object'; }).map(function (e) {
      var field = typeof e.field === 'string' ? e.field : '';
      /* Accept JSON Pointer style too: /identifiers/0/value -> identifiers[0].value */
      if (field.charAt(0) === '/') {
        field = field.slice(1).split('/').reduce(function (acc, part) {
          if (/^\d+$/.test(part)) return acc + '[' + part + ']';
          return acc ? acc + '.' + part : part;
        }, '');
      }
      return { field: field, message: typeof e.message === 'string' && e.message ? e.message : S.t('errServer') };
    });
  };

  /* ---------- errors: summary and inline ---------- */

  /*
   * Shows errors in the summary (role="alert") and next to their fields.
   * items: [{id: field element id or null, message}].
   * opts.reveal(id): called before a field is focused from a summary link
   * (to show a hidden step).
   */
  S.showErrors = function (items, opts) {
    opts = opts || {};
    var summary = S.$('error-summary');
    S.clearErrors(opts.root);
    if (!items || !items.length) return;
    var list = S.el('ul', { className: 'error-summary__list' });
    items.forEach(function (it) {
      var li;
      if (it.id && S.$(it.id)) {
        var a = S.el('a', { href: '#' + it.id, text: it.message });
        a.addEventListener('click', function (ev) {
          ev.preventDefault();
          if (opts.reveal) opts.reveal(it.id);
          S.focus(S.$(it.id));
        });
        li = S.el('li', null, a);
        S.markField(it.id, it.message);
      } else {
        li = S.el('li', { text: it.message });
      }
      list.appendChild(li);
    });
    if (summary) {
      S.clear(summary);
      summary.appendChild(S.el('h2', { className: 'error-summary__title', i18n: 'errorSummaryTitle' }));
      summary.appendChild(list);
      summary.hidden = false;
      if (opts.focus !== false) S.focus(summary);
    }
  };

  /* Puts a message next to the field with this id and marks it invalid. */
  S.markField = function (id, message) {
    var field = S.$(id);
    if (!field) return;
    var wrapper = field.closest('.field') || field.parentNode;
    var errId = (wrapper.id || id) + '-error';
    var p = S.$(errId);
    if (p) {
      p.lastChild.textContent += ' ' + message;
    } else {
      p = S.el('p', { className: 'field-error', id: errId }, [
        S.el('span', { className: 'visually-hidden', i18n: 'errorPrefix' }),
        S.el('span', { text: message })
      ]);
      /* after the label or legend and its hints, before the control */
      var anchor = wrapper.querySelector(':scope > legend, :scope > label');
      while (anchor && anchor.nextElementSibling && anchor.nextElementSibling.classList.contains('hint')) {
        anchor = anchor.nextElementSibling;
      }
      if (anchor && anchor.tagName === 'LEGEND') {
        /* a legend must stay the first child of its fieldset */
        wrapper.insertBefore(p, anchor.nextSibling);
      } else if (anchor) {
        anchor.parentNode.insertBefore(p, anchor.nextSibling);
      } else {
        wrapper.insertBefore(p, wrapper.firstChild);
      }
    }
    wrapper.classList.add('field--error');
    var controls = (wrapper.tagName === 'FIELDSET' && (field.type === 'radio' || field.type === 'checkbox'))
      ? wrapper.querySelectorAll('input') : [field];
    Array.prototype.forEach.call(controls, function (c) {
      c.setAttribute('aria-invalid', 'true');
      var d = (c.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
      if (d.indexOf(errId) < 0) d.unshift(errId);
      c.setAttribute('aria-describedby', d.join(' '));
    });
  };

  S.clearErrors = function (root) {
    root = root || document;
    var summary = S.$('error-summary');
    if (summary) {
      S.clear(summary);
      summary.hidden = true;
    }
    root.querySelectorAll('.field-error').forEach(function (p) {
      var id = p.id;
      p.parentNode.removeChild(p);
      document.querySelectorAll('[aria-describedby]').forEach(function (c) {
        var d = c.getAttribute('aria-describedby').split(/\s+/).filter(function (x) { return x && x !== id; });
        if (d.length) c.setAttribute('aria-describedby', d.join(' '));
        else c.removeAttribute('aria-describedby');
      });
    });
    root.querySelectorAll('[aria-invalid]').forEach(function (c) { c.removeAttribute('aria-invalid'); });
    root.querySelectorAll('.field--error').forEach(function (c) { c.classList.remove('field--error'); });
  };

  /* A polite announcement in a live region (role="status") with this id. */
  S.announce = function (id, message) {
    var n = S.$(id);
    if (!n) return;
    n.textContent = '';
    window.setTimeout(function () { n.textContent = message; }, 50);
  };

  /* ---------- reference data ---------- */

  var taxPromise = null;
  var taxIndex = {};
  S.tax = null;

  S.loadTaxonomy = function () {
    if (!taxPromise) {
      taxPromise = S.api('GET', '/v1/taxonomy', undefined, { cache: 'default' }).then(function (res) {
        if (!res.ok || !res.data || !Array.isArray(res.data.fraud_types)) {
          taxPromise = null;
          throw res;
        }
        S.tax = res.data;
        taxIndex = {};
        Object.keys(res.data).forEach(function (sec) {
          if (!Array.isArray(res.data[sec])) return;
          taxIndex[sec] = {};
          res.data[sec].forEach(function (e) { if (e && e.code) taxIndex[sec][e.code] = e; });
        });
        return res.data;
      });
    }
    return taxPromise;
  };

  S.taxEntry = function (section, code) {
    return (taxIndex[section] && taxIndex[section][code]) || null;
  };

  S.taxText = function (section, code, field) {
    var e = S.taxEntry(section, code);
    var v = e && e[field || 'label'];
    if (!v || typeof v !== 'object') return field === 'description' ? '' : String(code);
    return v[S.lang] || v.nl || String(code);
  };

  S.loadMunicipalities = function () {
    return S.api('GET', '/v1/municipalities', undefined, { cache: 'default' }).then(function (res) {
      if (!res.ok || !res.data || !Array.isArray(res.data.municipalities)) throw res;
      return res.data.municipalities;
    });
  };

  /* ---------- shared renderers ---------- */

  /* Fills an <ol>/<ul> with advice steps; urgent steps are marked. */
  S.renderAdvice = function (list, advice, headingLevel) {
    S.clear(list);
    var h = 'h' + (headingLevel || 3);
    if (!Array.isArray(advice) || !advice.length) {
      list.appendChild(S.el('li', { className: 'advice-item', i18n: 'noAdvice' }));
      return;
    }
    advice.forEach(function (a) {
      if (!a || typeof a !== 'object') return;
      var li = S.el('li', { className: 'advice-item' + (a.urgent ? ' advice-item--urgent' : ''), 'data-advice-id': a.id || null });
      var heading = S.el(h, { className: 'advice-item__title' });
      if (a.urgent) heading.appendChild(S.el('span', { className: 'urgent-label', i18n: 'urgent' }));
      if (a.urgent) heading.appendChild(document.createTextNode(' '));
      heading.appendChild(document.createTextNode(String(a.title || '')));
      li.appendChild(heading);
      if (a.text) li.appendChild(S.el('p', { className: 'advice-item__text', text: String(a.text) }));
      list.appendChild(li);
    });
  };

  S.recipientLabel = function (r) {
    return S.tOr('recipient_' + r, String(r).replace(/_/g, ' '));
  };

  S.referralStatusLabel = function (s) {
    return S.tOr('status_' + s, String(s).replace(/_/g, ' '));
  };

  /*
   * The consent checkboxes (#consent-<recipient>), one per recipient with a
   * one-sentence explanation, none checked.
   */
  S.renderConsentChoices = function (container) {
    S.clear(container);
    S.RECIPIENTS.forEach(function (r) {
      var id = 'consent-' + r;
      container.appendChild(S.el('div', { className: 'choice' }, [
        S.el('input', { type: 'checkbox', id: id, name: 'consent', value: r, 'aria-describedby': id + '-hint', 'data-testid': id }),
        S.el('label', { 'for': id, i18n: 'recipient_' + r }),
        S.el('p', { className: 'hint', id: id + '-hint', i18n: 'consentExpl_' + r })
      ]));
    });
  };

  S.readConsent = function () {
    var c = {};
    S.RECIPIENTS.forEach(function (r) {
      var box = S.$('consent-' + r);
      c[r] = !!(box && box.checked);
    });
    return c;
  };

  /* ---------- identifier rows ---------- */

  /*
   * A repeatable list of identifier rows: kind select, value, role select
   * filtered to the roles whose identifier_kinds include the kind.
   * opts: {container, addButton, prefix, defaultKind(), live (id of a status region)}
   */
  S.IdentifierList = function (opts) {
    var rows = [];
    var counter = 0;
    var sentMap = [];
    var self = this;

    function rolesFor(kind) {
      var roles = (S.tax && S.tax.identifier_roles) || [];
      return roles.filter(function (r) {
        return Array.isArray(r.identifier_kinds) && r.identifier_kinds.indexOf(kind) >= 0;
      });
    }

    function fillRoles(row) {
      var kind = row.kind.value;
      var keep = row.role.value;
      S.clear(row.role);
      var roles = rolesFor(kind);
      roles.forEach(function (r) {
        row.role.appendChild(S.el('option', { value: r.code, tax: 'identifier_roles|' + r.code }));
      });
      if (roles.some(function (r) { return r.code === keep; })) row.role.value = keep;
      row.hint.dataset.i18n = 'hint_' + kind;
      row.hint.textContent = S.t('hint_' + kind);
      row.value.setAttribute('inputmode', kind === 'phone' ? 'tel' : kind === 'email' ? 'email' : kind === 'url' ? 'url' : 'text');
    }

    function renumber() {
      rows.forEach(function (row, i) {
        row.legend.dataset.i18nArgs = JSON.stringify({ n: i + 1 });
        row.removeText.dataset.i18nArgs = JSON.stringify({ n: i + 1 });
        S.applyI18n(row.el);
      });
      if (opts.addButton) {
        opts.addButton.dataset.i18n = rows.length ? 'identAdd' : 'identAddFirst';
        opts.addButton.textContent = S.t(opts.addButton.dataset.i18n);
        opts.addButton.hidden = rows.length >= S.IDENT_MAX;
      }
    }

    this.add = function (focus) {
      if (rows.length >= S.IDENT_MAX) return null;
      var id = opts.prefix + '-' + (++counter);
      var kindSel = S.el('select', { id: id + '-kind', name: id + '-kind' });
      S.KINDS.forEach(function (k) { kindSel.appendChild(S.el('option', { value: k, i18n: 'kind_' + k })); });
      var dk = opts.defaultKind ? opts.defaultKind() : null;
      if (dk && S.KINDS.indexOf(dk) >= 0) kindSel.value = dk;
      var hint = S.el('p', { className: 'hint', id: id + '-value-hint' });
      var value = S.el('input', {
        type: 'text', id: id + '-value', name: id + '-value', autocomplete: 'off',
        spellcheck: 'false', autocapitalize: 'off', 'aria-describedby': id + '-value-hint', maxlength: '2000'
      });
      var role = S.el('select', { id: id + '-role', name: id + '-role' });
      var legend = S.el('legend', { i18n: 'identRow', i18nArgs: { n: rows.length + 1 } });
      var removeText = S.el('span', { i18n: 'identRemove', i18nArgs: { n: rows.length + 1 } });
      var remove = S.el('button', { type: 'button', className: 'button button--secondary button--small', id: id + '-remove' }, removeText);
      var fs = S.el('fieldset', { className: 'identifier-row', id: id }, [
        legend,
        S.el('div', { className: 'field' }, [S.el('label', { 'for': id + '-kind', i18n: 'identKind' }), kindSel]),
        S.el('div', { className: 'field' }, [S.el('label', { 'for': id + '-value', i18n: 'identValue' }), hint, value]),
        S.el('div', { className: 'field' }, [S.el('label', { 'for': id + '-role', i18n: 'identRole' }), role]),
        remove
      ]);
      var row = { id: id, el: fs, kind: kindSel, value: value, role: role, hint: hint, legend: legend, removeText: removeText };
      rows.push(row);
      opts.container.appendChild(fs);
      fillRoles(row);
      kindSel.addEventListener('change', function () { row.touched = true; fillRoles(row); });
      remove.addEventListener('click', function () {
        var i = rows.indexOf(row);
        rows.splice(i, 1);
        fs.parentNode.removeChild(fs);
        renumber();
        var next = rows[i] || rows[i - 1];
        S.focus(next ? next.kind : opts.addButton);
        if (opts.live) S.announce(opts.live, S.t('identRemoved'));
      });
      renumber();
      if (focus) S.focus(kindSel);
      return row;
    };

    this.reset = function () {
      rows.slice().forEach(function (row) { row.el.parentNode.removeChild(row.el); });
      rows = [];
      renumber();
    };

    /* Refills the role lists (after the taxonomy loaded or changed). */
    this.refresh = function () { rows.forEach(fillRoles); };

    this.count = function () { return rows.length; };

    /* Rows the user has not touched yet follow the default kind (e.g. after the fraud type changed). */
    this.applyDefaultKind = function () {
      var dk = opts.defaultKind ? opts.defaultKind() : null;
      if (!dk || S.KINDS.indexOf(dk) < 0) return;
      rows.forEach(function (row) {
        if (row.touched || row.value.value.trim() || row.kind.value === dk) return;
        row.kind.value = dk;
        fillRoles(row);
      });
    };

    /* Rows with a value, as API objects; remembers which row each one came from. */
    this.collect = function () {
      sentMap = [];
      var out = [];
      rows.forEach(function (row) {
        var v = row.value.value.trim();
        if (!v) return;
        var item = { kind: row.kind.value, value: v };
        if (row.role.value) item.role = row.role.value;
        out.push(item);
        sentMap.push(row.id);
      });
      return out;
    };

    /* The element id for errors[].field "identifiers[i].sub" of the last collect(). */
    this.fieldId = function (index, sub) {
      var rowId = sentMap[index];
      if (!rowId) return rows.length ? rows[0].id + '-value' : (opts.addButton ? opts.addButton.id : null);
      return rowId + '-' + (sub === 'kind' || sub === 'role' ? sub : 'value');
    };

    /* For a review: [{kind, value, role}] of rows with a value. */
    this.rows = function () { return rows; };

    if (opts.addButton) {
      opts.addButton.addEventListener('click', function () { self.add(true); });
    }
    renumber();
  };

  /* ---------- page frame ---------- */

  function initFrame() {
    document.documentElement.lang = S.lang;
    S.applyI18n();
    updateToggle();
    var btn = document.getElementById('lang-toggle');
    if (btn) {
      btn.addEventListener('click', function () {
        S.setLang(S.lang === 'nl' ? 'en' : 'nl');
      });
    }
  }

  window.Signaal = S;
  initFrame();
})();
