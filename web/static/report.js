/*
 * report.js - the report form ("Melding maken"): six steps in one page,
 * POST /v1/reports, and the result with the case code, advice and referrals.
 */
'use strict';

(function () {
  var S = window.Signaal;
  var TOTAL = 6;
  var current = 1;
  var form = S.$('report-form');
  var identList = null;
  var municipalities = [];
  var lastBodyText = null;
  var lastKey = null;
  var busy = false;
  var submitted = null;   /* what the advice was asked for, to fetch it again in another language */
  var lastReferrals = [];

  /* ---------- steps ---------- */

  function goToStep(n, focusHeading) {
    current = n;
    for (var i = 1; i <= TOTAL; i++) S.$('step-' + i).hidden = (i !== n);
    S.$('back').hidden = (n === 1);
    S.$('next').hidden = (n === TOTAL);
    S.$('submit').hidden = (n !== TOTAL);
    if (n === TOTAL) renderReview();
    if (focusHeading !== false) S.focus(S.$('step-' + n + '-heading'));
  }

  /* Shows the step that holds the element with this id (for error links). */
  function revealField(id) {
    var n = S.$(id);
    var st = n && n.closest('.step');
    if (st && Number(st.dataset.step) !== current) goToStep(Number(st.dataset.step), false);
  }

  /* ---------- building the choices ---------- */

  function renderChoices(container, section, type, name, idPrefix) {
    S.clear(container);
    (S.tax[section] || []).forEach(function (e) {
      var id = idPrefix + e.code;
      container.appendChild(S.el('div', { className: 'choice' }, [
        S.el('input', { type: type, id: id, name: name, value: e.code, 'aria-describedby': id + '-hint', 'data-testid': id }),
        S.el('label', { 'for': id, tax: section + '|' + e.code }),
        S.el('p', { className: 'hint', id: id + '-hint', tax: section + '|' + e.code + '|description' })
      ]));
    });
  }

  function fillSelect(select, section, emptyKey, skip) {
    S.clear(select);
    select.appendChild(S.el('option', { value: '', i18n: emptyKey }));
    (S.tax[section] || []).forEach(function (e) {
      if (skip && skip.indexOf(e.code) >= 0) return;
      select.appendChild(S.el('option', { value: e.code, tax: section + '|' + e.code }));
    });
  }

  function fillMunicipalities() {
    var sel = S.$('municipality');
    S.clear(sel);
    sel.appendChild(S.el('option', { value: '', i18n: 'municipalityNone' }));
    municipalities.slice().sort(function (a, b) {
      return String(a.name).localeCompare(String(b.name), 'nl');
    }).forEach(function (m) {
      if (!m || !m.code) return;
      sel.appendChild(S.el('option', { value: m.code, text: m.name }));
    });
  }

  function checkedValue(name) {
    var n = form.querySelector('input[name="' + name + '"]:checked');
    return n ? n.value : '';
  }

  function checkedValues(name) {
    return Array.prototype.map.call(form.querySelectorAll('input[name="' + name + '"]:checked'), function (n) { return n.value; });
  }

  function fraudTypeFieldId() {
    var n = form.querySelector('input[name="fraud_type"]:checked') || form.querySelector('input[name="fraud_type"]');
    return n ? n.id : 'fraud-type-group';
  }

  function firstInputId(name) {
    var n = form.querySelector('input[name="' + name + '"]');
    return n ? n.id : null;
  }

  /* ---------- reading and checking ---------- */

  /* "1.250,50", "1250.50", "€ 250" -> cents; null when not an amount. */
  function parseAmount(text) {
    var s = String(text).replace(/[\s\u00a0€]/g, '').replace(/^eur/i, '').replace(/,-$/, '');
    if (!/^\d[\d.,]*$/.test(s)) return null;
    var last = Math.max(s.lastIndexOf(','), s.lastIndexOf('.'));
    var intPart = s, frac = '';
    if (last >= 0 && s.length - last - 1 <= 2) {
      intPart = s.slice(0, last);
      frac = s.slice(last + 1);
    }
    if (intPart === '') return null;
    if (/[.,]/.test(intPart) && !/^\d{1,3}([.,]\d{3})+$/.test(intPart)) return null;
    intPart = intPart.replace(/[.,]/g, '');
    while (frac.length < 2) frac += '0';
    var cents = parseInt(intPart, 10) * 100 + parseInt(frac, 10);
    return Number.isSafeInteger(cents) ? cents : null;
  }

  function pad(n) { return (n < 10 ? '0' : '') + n; }

  function todayString() {
    var d = new Date();
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate());
  }

  /* {value: RFC 3339 UTC or null} or {error: key, id} */
  function readOccurredAt() {
    var d = S.$('occurred-date').value.trim();
    var tm = S.$('occurred-time').value.trim();
    if (!d) return tm ? { error: 'errTimeNoDate', id: 'occurred-date' } : { value: null };
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
    if (!m) return { error: 'errDate', id: 'occurred-date' };
    var hh = 12, mi = 0;
    if (tm) {
      var t = /^(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(tm);
      if (!t || Number(t[1]) > 23 || Number(t[2]) > 59) return { error: 'errTime', id: 'occurred-time' };
      hh = Number(t[1]);
      mi = Number(t[2]);
    }
    var y = Number(m[1]), mo = Number(m[2]) - 1, da = Number(m[3]);
    var dt = new Date(y, mo, da, hh, mi, 0, 0);
    if (isNaN(dt.getTime()) || dt.getFullYear() !== y || dt.getMonth() !== mo || dt.getDate() !== da || y < 1970) {
      return { error: 'errDate', id: 'occurred-date' };
    }
    if (d > todayString()) return { error: 'errDateFuture', id: 'occurred-date' };
    var now = new Date();
    if (dt.getTime() > now.getTime()) {
      if (tm) return { error: 'errDateFuture', id: 'occurred-time' };
      dt = now;  /* today, no time given: now */
      dt.setSeconds(0, 0);
    }
    return { value: dt.toISOString().replace(/\.\d{3}Z$/, 'Z') };
  }

  var EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  var PHONE_RE = /^\+?[0-9 ()\-.]{6,24}$/;

  function validateStep(n) {
    var errs = [];
    if (n === 1) {
      if (!checkedValue('fraud_type')) errs.push({ id: fraudTypeFieldId(), message: S.t('errFraudType') });
      var when = readOccurredAt();
      if (when.error) errs.push({ id: when.id, message: S.t(when.error) });
      if (S.$('description').value.length > S.TEXT_MAX) {
        errs.push({ id: 'description', message: S.t('errDescriptionLong', { max: S.TEXT_MAX }) });
      }
    } else if (n === 2) {
      if (checkedValue('lost') === 'yes') {
        var raw = S.$('amount').value.trim();
        var cents = parseAmount(raw);
        if (!raw || cents === null) errs.push({ id: 'amount', message: S.t('errAmount') });
        else if (cents <= 0) errs.push({ id: 'amount', message: S.t('errAmountZero') });
        if (!S.$('payment-method').value) errs.push({ id: 'payment-method', message: S.t('errPayment') });
      }
    } else if (n === 3) {
      /* nothing is required; values are checked by the server */
    } else if (n === 4) {
      var email = S.$('contact-email').value.trim();
      var phone = S.$('contact-phone').value.trim();
      if (email && !EMAIL_RE.test(email)) errs.push({ id: 'contact-email', message: S.t('errEmail') });
      if (phone && !PHONE_RE.test(phone)) errs.push({ id: 'contact-phone', message: S.t('errPhone') });
    }
    return errs;
  }

  function buildReport() {
    var body = { fraud_type: checkedValue('fraud_type') };
    var channels = checkedValues('channel');
    if (channels.length) body.channels = channels;
    var desc = S.$('description').value.trim();
    if (desc) body.description = desc;
    var when = readOccurredAt();
    if (when.value) body.occurred_at = when.value;
    if (checkedValue('lost') === 'yes') {
      body.loss = { amount_cents: parseAmount(S.$('amount').value.trim()), currency: 'EUR' };
      if (S.$('payment-method').value) body.loss.payment_method = S.$('payment-method').value;
    }
    var idents = identList.collect();
    if (idents.length) body.identifiers = idents;
    var victim = {};
    if (checkedValue('victim_type')) victim.type = checkedValue('victim_type');
    if (S.$('age-band').value) victim.age_band = S.$('age-band').value;
    if (S.$('municipality').value) victim.municipality = S.$('municipality').value;
    var contact = {};
    if (S.$('contact-email').value.trim()) contact.email = S.$('contact-email').value.trim();
    if (S.$('contact-phone').value.trim()) contact.phone = S.$('contact-phone').value.trim();
    if (Object.keys(contact).length) victim.contact = contact;
    if (Object.keys(victim).length) body.victim = victim;
    body.consent = S.readConsent();
    body.language = S.lang;
    return body;
  }

  /* ---------- review ---------- */

  function renderReview() {
    var box = S.clear(S.$('review'));
    if (!S.tax) return;
    var body = buildReport();
    var nf = S.t('notFilled');
    var groups = [];

    var whenText = nf;
    if (body.occurred_at) whenText = S.formatDate(body.occurred_at, !!S.$('occurred-time').value);
    groups.push({ step: 1, items: [
      [S.t('rvFraudType'), body.fraud_type ? S.taxText('fraud_types', body.fraud_type) : nf],
      [S.t('rvChannels'), body.channels ? body.channels.map(function (c) { return S.taxText('channels', c); }).join(', ') : nf],
      [S.t('rvDate'), whenText],
      [S.t('rvDescription'), body.description || nf]
    ] });
    var lossItems = [[S.t('rvLoss'), body.loss ? S.formatEuros(body.loss.amount_cents) : (checkedValue('lost') === 'no' ? S.t('no') : nf)]];
    if (body.loss) lossItems.push([S.t('rvPayment'), body.loss.payment_method ? S.taxText('payment_methods', body.loss.payment_method) : nf]);
    groups.push({ step: 2, items: lossItems });
    var identItems = (body.identifiers || []).map(function (it) {
      return [S.t('kind_' + it.kind), it.value + (it.role ? ' (' + S.taxText('identifier_roles', it.role) + ')' : '')];
    });
    if (!identItems.length) identItems.push([S.t('rvIdentifiers'), nf]);
    groups.push({ step: 3, items: identItems });
    var v = body.victim || {};
    var mun = municipalities.filter(function (m) { return m.code === v.municipality; })[0];
    groups.push({ step: 4, items: [
      [S.t('rvVictimType'), v.type ? S.taxText('victim_types', v.type) : nf],
      [S.t('rvAge'), v.age_band ? S.taxText('age_bands', v.age_band) : nf],
      [S.t('rvMunicipality'), mun ? mun.name : nf],
      [S.t('rvEmail'), (v.contact && v.contact.email) || nf],
      [S.t('rvPhone'), (v.contact && v.contact.phone) || nf]
    ] });
    var chosen = S.RECIPIENTS.filter(function (r) { return body.consent[r]; }).map(S.recipientLabel);
    groups.push({ step: 5, items: [[S.t('rvConsent'), chosen.length ? chosen.join(', ') : S.t('noOne')]] });

    groups.forEach(function (g) {
      var title = S.t('step' + g.step + 'Title');
      var change = S.el('button', { type: 'button', className: 'link-button', 'data-goto': String(g.step) }, [
        S.t('change'),
        S.el('span', { className: 'visually-hidden', text: S.t('changeHidden', { section: title }) })
      ]);
      change.addEventListener('click', function () { goToStep(g.step); });
      var dl = S.el('dl', { className: 'review-list' });
      g.items.forEach(function (it) {
        dl.appendChild(S.el('div', { className: 'review-list__row' }, [S.el('dt', { text: it[0] }), S.el('dd', { text: it[1] })]));
      });
      box.appendChild(S.el('div', { className: 'review-group' }, [
        S.el('div', { className: 'review-group__head' }, [S.el('h3', { text: title }), change]),
        dl
      ]));
    });
  }

  /* ---------- submitting ---------- */

  /* errors[].field of a 422 -> id of the input to show it at. */
  function fieldIdFor(path) {
    if (!path) return null;
    var m = /^identifiers(?:\[(\d+)\](?:\.(\w+))?)?/.exec(path);
    if (m) return m[1] !== undefined ? identList.fieldId(Number(m[1]), m[2]) : identList.fieldId(0, 'value');
    m = /^consent\.(\w+)/.exec(path);
    if (m && S.$('consent-' + m[1])) return 'consent-' + m[1];
    if (/^consent/.test(path)) return 'consent-' + S.RECIPIENTS[0];
    if (/^channels/.test(path)) return firstInputId('channel');
    if (/^fraud_type/.test(path)) return fraudTypeFieldId();
    if (/^victim\.type/.test(path)) return firstInputId('victim_type');
    var map = {
      occurred_at: 'occurred-date',
      description: 'description',
      loss: 'amount',
      'loss.amount_cents': 'amount',
      'loss.currency': 'amount',
      'loss.payment_method': 'payment-method',
      'victim.age_band': 'age-band',
      'victim.municipality': 'municipality',
      'victim.contact': 'contact-email',
      'victim.contact.email': 'contact-email',
      'victim.contact.phone': 'contact-phone'
    };
    if (map[path]) return map[path];
    /* the nearest known parent: "loss.amount_cents.x" -> "loss.amount_cents" */
    var parts = path.split('.');
    while (parts.length > 1) {
      parts.pop();
      if (map[parts.join('.')]) return map[parts.join('.')];
    }
    return null;
  }

  function setBusy(on) {
    busy = on;
    var b = S.$('submit');
    if (on) b.setAttribute('aria-disabled', 'true'); else b.removeAttribute('aria-disabled');
    form.setAttribute('aria-busy', on ? 'true' : 'false');
    S.$('submit-status').textContent = on ? S.t('sending') : '';
  }

  function submitReport() {
    if (busy) return;
    var errs = [];
    for (var i = 1; i < TOTAL; i++) errs = errs.concat(validateStep(i));
    if (errs.length) {
      S.showErrors(errs, { reveal: revealField });
      return;
    }
    var body = buildReport();
    var text = JSON.stringify(body);
    /* the same key for a retry of the same report, a new one when it changed */
    if (text !== lastBodyText) {
      lastBodyText = text;
      lastKey = S.newIdempotencyKey();
    }
    setBusy(true);
    S.api('POST', '/v1/reports', body, { headers: { 'Idempotency-Key': lastKey } }).then(function (res) {
      setBusy(false);
      if (res.ok && res.data && typeof res.data.case_code === 'string') {
        showResult(res.data, body);
        return;
      }
      var fieldErrs = S.problemErrors(res);
      if ((res.status === 422 || res.status === 400) && fieldErrs.length) {
        S.showErrors(fieldErrs.map(function (e) {
          return { id: fieldIdFor(e.field), message: e.message };
        }), { reveal: revealField });
      } else {
        S.showErrors([{ id: null, message: S.problemText(res) }]);
      }
    });
  }

  /* ---------- result ---------- */

  function renderReferrals() {
    var list = S.clear(S.$('referrals'));
    if (!lastReferrals.length) {
      list.appendChild(S.el('li', { i18n: 'noReferrals' }));
      return;
    }
    lastReferrals.forEach(function (r) {
      if (!r || typeof r !== 'object') return;
      list.appendChild(S.el('li', { 'data-recipient': r.recipient || null }, [
        S.el('strong', { text: S.recipientLabel(r.recipient) }),
        ': ',
        S.referralStatusLabel(r.status)
      ]));
    });
  }

  function showResult(data, body) {
    S.clearErrors();
    var code = String(data.case_code);
    S.$('case-code').textContent = code;
    var url = typeof data.case_url === 'string' && /^\/case#[A-Za-z0-9-]+$/.test(data.case_url)
      ? data.case_url : '/case#' + encodeURIComponent(code);
    S.$('case-link').setAttribute('href', url);
    S.renderAdvice(S.$('advice-list'), data.advice, 3);
    lastReferrals = Array.isArray(data.referrals) ? data.referrals : [];
    renderReferrals();
    submitted = {
      fraud_type: body.fraud_type,
      payment_method: body.loss && body.loss.payment_method,
      kinds: (body.identifiers || []).map(function (i) { return i.kind; }),
      lang: body.language
    };
    /* nothing of the report stays in the form */
    form.reset();
    identList.reset();
    form.hidden = true;
    S.$('intro').hidden = true;
    S.$('result').hidden = false;
    S.focus(S.$('result-heading'));
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () { return fallbackCopy(text); });
    }
    return Promise.resolve(fallbackCopy(text));
  }

  function fallbackCopy(text) {
    var ta = S.el('textarea', { readonly: true, className: 'visually-hidden', 'aria-hidden': 'true', tabindex: '-1' });
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    return ok;
  }

  function refetchAdvice() {
    if (!submitted || !submitted.fraud_type || submitted.lang === S.lang) return;
    var q = 'fraud_type=' + encodeURIComponent(submitted.fraud_type);
    if (submitted.payment_method) q += '&payment_method=' + encodeURIComponent(submitted.payment_method);
    if (submitted.kinds.length) q += '&kinds=' + submitted.kinds.map(encodeURIComponent).join(',');
    q += '&lang=' + S.lang;
    var want = S.lang;
    S.api('GET', '/v1/advice?' + q).then(function (res) {
      if (want !== S.lang || !res.ok || !res.data || !Array.isArray(res.data.advice)) return;
      submitted.lang = want;
      S.renderAdvice(S.$('advice-list'), res.data.advice, 3);
    });
  }

  /* ---------- start ---------- */

  function start(tax) {
    renderChoices(S.$('fraud-type-choices'), 'fraud_types', 'radio', 'fraud_type', 'fraud-type-');
    renderChoices(S.$('channel-choices'), 'channels', 'checkbox', 'channel', 'channel-');
    renderChoices(S.$('victim-type-choices'), 'victim_types', 'radio', 'victim_type', 'victim-type-');
    fillSelect(S.$('payment-method'), 'payment_methods', 'choose', ['none']);
    fillSelect(S.$('age-band'), 'age_bands', 'ageNone');
    S.renderConsentChoices(S.$('consent-choices'));
    identList = new S.IdentifierList({
      container: S.$('identifier-rows'),
      addButton: S.$('add-identifier'),
      prefix: 'ident',
      live: 'ident-live',
      defaultKind: function () {
        var ft = S.taxEntry('fraud_types', checkedValue('fraud_type'));
        return ft && Array.isArray(ft.identifier_kinds) ? ft.identifier_kinds[0] : null;
      }
    });
    identList.add(false);
    fillMunicipalities();
    S.loadMunicipalities().then(function (list) {
      municipalities = list;
      var keep = S.$('municipality').value;
      fillMunicipalities();
      S.$('municipality').value = keep;
    }, function () {
      var hint = S.$('municipality-hint');
      hint.dataset.i18n = 'errMunicipalities';
      hint.textContent = S.t('errMunicipalities');
    });
    return tax;
  }

  S.$('occurred-date').setAttribute('max', todayString());

  form.addEventListener('change', function (ev) {
    if (ev.target && ev.target.name === 'fraud_type' && identList) identList.applyDefaultKind();
    if (ev.target && ev.target.name === 'lost') {
      var yes = checkedValue('lost') === 'yes';
      S.$('loss-details').hidden = !yes;
    }
  });

  S.$('next').addEventListener('click', function () {
    var errs = validateStep(current);
    if (errs.length) {
      S.showErrors(errs, { reveal: revealField });
      return;
    }
    S.clearErrors();
    if (current < TOTAL) goToStep(current + 1);
  });

  S.$('back').addEventListener('click', function () {
    if (current > 1) goToStep(current - 1);
  });

  /* Enter in a field, or the submit button */
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    if (current < TOTAL) S.$('next').click();
    else submitReport();
  });

  S.$('copy-code').addEventListener('click', function () {
    var btn = this;
    copyText(S.$('case-code').textContent).then(function (ok) {
      btn.focus();
      S.announce('copy-status', S.t(ok ? 'copied' : 'copyFailed'));
    });
  });

  document.addEventListener('signaal:lang', function () {
    if (current === TOTAL && !form.hidden) renderReview();
    if (!S.$('result').hidden) {
      renderReferrals();
      refetchAdvice();
    }
    if (busy) S.$('submit-status').textContent = S.t('sending');
  });

  S.loadTaxonomy().then(start, function (res) {
    S.clear(S.$('fraud-type-choices'));
    S.$('next').hidden = true;
    S.showErrors([{ id: null, message: res && res.status && res.status !== 200 && res.status !== 0 ? S.problemText(res) : S.t('errTaxonomy') }]);
  });
})();
