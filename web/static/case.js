/*
 * case.js - the case page (/case): open a report with its case code (typed,
 * or from the URL fragment #<code>, which browsers never send to the
 * server), see its status and referrals, add to it, change the consent,
 * withdraw it, and open the police-report page.
 */
'use strict';

(function () {
  var S = window.Signaal;
  var input = S.$('case-code-input');
  var currentCode = null;
  var currentCase = null;
  var addList = null;
  var busy = false;
  var keys = {};          /* Idempotency-Key per request body */

  function casePath(suffix) {
    return '/v1/cases/' + encodeURIComponent(currentCode) + (suffix || '');
  }

  function keyFor(name, body) {
    var text = name + JSON.stringify(body);
    if (!keys[text]) keys[text] = S.newIdempotencyKey();
    return keys[text];
  }

  /* ---------- rendering ---------- */

  function renderReferrals(c) {
    var list = S.clear(S.$('referrals'));
    var refs = Array.isArray(c.referrals) ? c.referrals : [];
    if (!refs.length) {
      list.appendChild(S.el('li', { i18n: 'noReferrals' }));
      return;
    }
    refs.forEach(function (r) {
      if (!r || typeof r !== 'object') return;
      var li = S.el('li', { 'data-recipient': r.recipient || null }, [
        S.el('h3', { text: S.recipientLabel(r.recipient) }),
        S.el('p', { className: 'referral-status', text: S.t('referralStatus', { status: S.referralStatusLabel(r.status) }) })
      ]);
      if (r.updated_at) li.appendChild(S.el('p', { className: 'hint', text: S.t('referralUpdated', { date: S.formatDate(r.updated_at) }) }));
      if (Array.isArray(r.history) && r.history.length) {
        var ol = S.el('ol', { className: 'history' });
        r.history.forEach(function (h) {
          if (!h || typeof h !== 'object') return;
          ol.appendChild(S.el('li', null, [
            S.el('span', { text: S.formatDate(h.at) }),
            ' – ',
            S.referralStatusLabel(h.status)
          ]));
        });
        li.appendChild(S.el('p', { className: 'history-label', text: S.t('historyLabel') }));
        li.appendChild(ol);
      }
      list.appendChild(li);
    });
  }

  function renderAdditions(c) {
    var list = S.clear(S.$('additions-list'));
    var adds = Array.isArray(c.additions) ? c.additions : [];
    if (!adds.length) {
      list.appendChild(S.el('li', { i18n: 'noAdditions' }));
      return;
    }
    adds.forEach(function (a) {
      if (!a || typeof a !== 'object') return;
      list.appendChild(S.el('li', null, [
        S.el('strong', { text: S.formatDate(a.at) }),
        a.description ? S.el('p', { className: 'advice-item__text', text: String(a.description) }) : null
      ]));
    });
  }

  function renderConsent(c) {
    var consent = c.consent && typeof c.consent === 'object' ? c.consent : {};
    S.RECIPIENTS.forEach(function (r) {
      var box = S.$('consent-' + r);
      if (box) box.checked = consent[r] === true;
    });
  }

  function policeUrl(c) {
    var u = typeof c.police_report_url === 'string' && /^\/v1\/[A-Za-z0-9\-\/_.]+$/.test(c.police_report_url)
      ? c.police_report_url : casePath('/police-report');
    return u + (u.indexOf('?') >= 0 ? '&' : '?') + 'format=html';
  }

  function render(c, keepConsent) {
    currentCase = c;
    var withdrawn = c.status === 'withdrawn';
    var status = S.$('case-status');
    status.textContent = S.tOr('case_status_' + c.status, String(c.status || ''));
    status.setAttribute('data-status', String(c.status || ''));
    S.$('case-created').textContent = S.formatDate(c.created_at);
    S.$('case-fraud-type').textContent = c.fraud_type ? S.taxText('fraud_types', c.fraud_type) : '';
    renderReferrals(c);
    S.renderAdvice(S.$('advice-list'), c.advice, 3);
    renderAdditions(c);
    if (!keepConsent) renderConsent(c);
    S.$('police-report-link').setAttribute('href', policeUrl(c));
    S.$('case-withdrawn-note').hidden = !withdrawn;
    S.$('addition-form').hidden = withdrawn;
    S.$('consent-section').hidden = withdrawn;
    S.$('police-section').hidden = withdrawn;
    S.$('withdraw-section').hidden = withdrawn;
    S.$('withdrawn-message').hidden = true;
    S.$('case-view').hidden = false;
  }

  function closeCase() {
    currentCode = null;
    currentCase = null;
    S.$('case-view').hidden = true;
    S.$('withdraw-panel').hidden = true;
    S.$('withdraw').setAttribute('aria-expanded', 'false');
    S.$('addition-form').reset();
    if (addList) addList.reset();
  }

  /* ---------- opening ---------- */

  function openCase(text) {
    if (busy) return;
    S.clearErrors();
    S.$('withdrawn-message').hidden = true;
    if (!String(text).trim()) {
      S.showErrors([{ id: 'case-code-input', message: S.t('errCodeEmpty') }]);
      return;
    }
    var code = S.normaliseCode(text);
    if (!code) {
      S.showErrors([{ id: 'case-code-input', message: S.t('errCodeFormat') }]);
      return;
    }
    input.value = code;
    busy = true;
    S.$('open-status').textContent = S.t('loading');
    S.api('GET', '/v1/cases/' + encodeURIComponent(code)).then(function (res) {
      busy = false;
      S.$('open-status').textContent = '';
      if (res.ok && res.data && typeof res.data === 'object') {
        closeCase();
        currentCode = code;
        render(res.data, false);
        S.focus(S.$('case-summary-heading'));
        return;
      }
      closeCase();
      if (res.status === 404) {
        S.showErrors([{ id: 'case-code-input', message: S.t('errCodeNotFound') }]);
      } else if (res.status === 410) {
        showWithdrawn();
      } else if (res.status === 429 || res.status === 400 || res.status === 422) {
        S.showErrors([{ id: 'case-code-input', message: res.status === 429 ? S.problemText(res) : S.t('errCodeFormat') }]);
      } else {
        S.showErrors([{ id: null, message: S.problemText(res) }]);
      }
    });
  }

  function showWithdrawn() {
    var msg = S.$('withdrawn-message');
    msg.dataset.i18n = 'withdrawDone';
    msg.textContent = S.t('withdrawDone');
    msg.hidden = false;
    S.focus(msg);
  }

  /* After a change: show the case from the reply, or fetch it again. */
  function afterChange(res, statusId, messageKey) {
    if (res.data && typeof res.data === 'object' && res.data.status) {
      render(res.data, false);
      S.announce(statusId, S.t(messageKey));
      return;
    }
    S.api('GET', casePath()).then(function (r) {
      if (r.ok && r.data) render(r.data, false);
      S.announce(statusId, S.t(messageKey));
    });
  }

  function showFailure(res, mapField) {
    var errs = S.problemErrors(res);
    if ((res.status === 422 || res.status === 400) && errs.length) {
      S.showErrors(errs.map(function (e) { return { id: mapField(e.field), message: e.message }; }));
    } else {
      S.showErrors([{ id: null, message: res.status === 404 ? S.t('errCodeNotFound') : S.problemText(res) }]);
    }
  }

  /* ---------- events ---------- */

  S.$('case-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    openCase(input.value);
  });

  S.$('addition-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    if (busy || !currentCode) return;
    S.clearErrors();
    var body = {};
    var desc = S.$('addition-description').value.trim();
    if (desc) body.description = desc;
    var idents = addList.collect();
    if (idents.length) body.identifiers = idents;
    if (!desc && !idents.length) {
      S.showErrors([{ id: 'addition-description', message: S.t('errAdditionEmpty') }]);
      return;
    }
    if (desc.length > S.TEXT_MAX) {
      S.showErrors([{ id: 'addition-description', message: S.t('errDescriptionLong', { max: S.TEXT_MAX }) }]);
      return;
    }
    busy = true;
    S.$('addition-status').textContent = S.t('sending');
    S.api('POST', casePath('/additions'), body, { headers: { 'Idempotency-Key': keyFor('add', body) } }).then(function (res) {
      busy = false;
      S.$('addition-status').textContent = '';
      if (res.ok) {
        S.$('addition-form').reset();
        addList.reset();
        afterChange(res, 'addition-status', 'added');
        return;
      }
      showFailure(res, function (f) {
        var m = /^identifiers(?:\[(\d+)\](?:\.(\w+))?)?/.exec(f || '');
        if (m) return addList.fieldId(m[1] !== undefined ? Number(m[1]) : 0, m[2]);
        return 'addition-description';
      });
    });
  });

  S.$('consent-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    if (busy || !currentCode) return;
    S.clearErrors();
    var body = S.readConsent();
    busy = true;
    S.$('consent-status').textContent = S.t('sending');
    S.api('PUT', casePath('/consent'), body).then(function (res) {
      busy = false;
      S.$('consent-status').textContent = '';
      if (res.ok) {
        afterChange(res, 'consent-status', 'consentSaved');
        return;
      }
      showFailure(res, function (f) {
        var m = /^(?:consent\.)?(\w+)$/.exec(f || '');
        return m && S.$('consent-' + m[1]) ? 'consent-' + m[1] : 'consent-' + S.RECIPIENTS[0];
      });
    });
  });

  S.$('withdraw').addEventListener('click', function () {
    S.$('withdraw-panel').hidden = false;
    this.setAttribute('aria-expanded', 'true');
    S.focus(S.$('withdraw-panel-heading'));
  });

  S.$('withdraw-cancel').addEventListener('click', function () {
    S.$('withdraw-panel').hidden = true;
    S.$('withdraw').setAttribute('aria-expanded', 'false');
    S.$('withdraw').focus();
  });

  S.$('withdraw-confirm').addEventListener('click', function () {
    if (busy || !currentCode) return;
    S.clearErrors();
    busy = true;
    S.$('withdraw-status').textContent = S.t('sending');
    S.api('DELETE', casePath()).then(function (res) {
      busy = false;
      S.$('withdraw-status').textContent = '';
      if (res.ok || res.status === 410) {
        closeCase();
        input.value = '';
        showWithdrawn();
        return;
      }
      S.showErrors([{ id: null, message: res.status === 404 ? S.t('errCodeNotFound') : S.problemText(res) }]);
    });
  });

  document.addEventListener('signaal:lang', function () {
    if (currentCase && !S.$('case-view').hidden) render(currentCase, true);
    ['open-status', 'addition-status', 'consent-status', 'withdraw-status'].forEach(function (id) {
      if (S.$(id).textContent) S.$(id).textContent = busy ? S.t('sending') : '';
    });
  });

  /* The code from the fragment; removed from the address bar once read. */
  function codeFromHash() {
    var h = window.location.hash.slice(1);
    if (!h) return null;
    try { h = decodeURIComponent(h); } catch (e) { return null; }
    if (document.getElementById(h) || !/^[0-9A-Za-z\- ]{20,60}$/.test(h)) return null;
    try {
      window.history.replaceState(null, '', window.location.pathname + window.location.search);
    } catch (e) { /* ignore */ }
    return h;
  }

  function openFromHash() {
    var code = codeFromHash();
    if (code) {
      input.value = code;
      openCase(code);
    }
  }

  window.addEventListener('hashchange', openFromHash);

  function start() {
    S.renderConsentChoices(S.$('consent-choices'));
    addList = new S.IdentifierList({
      container: S.$('addition-identifier-rows'),
      addButton: S.$('add-addition-identifier'),
      prefix: 'add-ident',
      live: 'addition-ident-live'
    });
    openFromHash();
  }

  /* The page works without the taxonomy too (codes are shown as they are). */
  S.loadTaxonomy().then(start, start);
})();
