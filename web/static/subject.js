/*
 * subject.js - the page for data subjects (/subject): ask whether an
 * identifier of yours is registered and who received it, or object to it
 * (POST /v1/subject-requests); the request code is shown once.  With the
 * code (typed, or from the URL fragment #<code>, which browsers never send
 * to the server) the page shows the status and, once there is one, the
 * answer or the decision (GET /v1/subject-requests/{code}).
 */
'use strict';

(function () {
  var S = window.Signaal;
  var form = S.$('subject-form');
  var kindSel = S.$('subject-kind');
  var lookupForm = S.$('lookup-form');
  var shown = null; /* the request on screen, re-rendered when the language changes */

  /* ---------- the request ---------- */

  function fillKinds() {
    var keep = kindSel.value || 'iban';
    S.clear(kindSel);
    S.KINDS.forEach(function (k) {
      kindSel.appendChild(S.el('option', { value: k, text: S.t('kind_' + k) }));
    });
    kindSel.value = keep;
  }

  function selectedType() {
    return S.$('subject-type-objection').checked ? 'objection' : 'access';
  }

  function showReason() {
    S.$('subject-reason-field').hidden = selectedType() !== 'objection';
  }

  var FIELD_IDS = {
    type: 'subject-type-access',
    kind: 'subject-kind',
    value: 'subject-value',
    contact: 'subject-contact',
    reason: 'subject-reason'
  };

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var body = {
      type: selectedType(),
      kind: kindSel.value,
      value: S.$('subject-value').value.trim(),
      contact: S.$('subject-contact').value.trim(),
      language: S.lang
    };
    var errs = [];
    if (!body.value) errs.push({ id: 'subject-value', message: S.t('errSubjectValue') });
    if (!body.contact) errs.push({ id: 'subject-contact', message: S.t('errSubjectContact') });
    if (body.type === 'objection') {
      body.reason = S.$('subject-reason').value.trim();
      if (!body.reason) errs.push({ id: 'subject-reason', message: S.t('errSubjectReason') });
    }
    if (errs.length) {
      S.showErrors(errs);
      return;
    }
    var btn = S.$('subject-submit');
    btn.disabled = true;
    S.$('subject-status').textContent = S.t('sending');
    S.api('POST', '/v1/subject-requests', body).then(function (res) {
      btn.disabled = false;
      S.$('subject-status').textContent = '';
      if (res.status !== 202 || !res.data || typeof res.data.request_code !== 'string') {
        var fe = S.problemErrors(res);
        S.showErrors(fe.length ? fe.map(function (e) {
          return { id: FIELD_IDS[e.field] || null, message: e.message };
        }) : [{ id: null, message: S.problemText(res) }]);
        return;
      }
      S.clearErrors();
      form.reset();
      showReason();
      S.$('subject-code').textContent = res.data.request_code;
      S.$('subject-next').textContent = String(res.data.next || '');
      S.$('subject-sent').hidden = false;
      S.$('request-section').hidden = true;
      S.focus(S.$('subject-sent-heading'));
    });
  });

  S.$('subject-type-access').addEventListener('change', showReason);
  S.$('subject-type-objection').addEventListener('change', showReason);

  /* ---------- the answer ---------- */

  function render(d) {
    shown = d;
    S.$('subject-view-type').textContent = S.tOr('subjectType_' + d.type, String(d.type));
    S.$('subject-view-status').textContent = S.tOr('subjectStatus_' + d.status, String(d.status));
    S.$('subject-view-created').textContent = S.formatDate(d.created_at);
    var text = '';
    var list = S.$('subject-view-recipients');
    S.clear(list);
    list.hidden = true;
    var a = d.answer && typeof d.answer === 'object' ? d.answer : null;
    if (d.status === 'answered' && a) {
      if (a.registered === true) {
        text = S.t('subjectAnswerYes', {
          kind: S.t('kind_' + a.kind),
          since: S.formatDate(a.first_seen, false),
          reports: Number(a.reports) || 0,
          signals: Number(a.signals) || 0,
          status: S.tOr('identStatus_' + a.status, String(a.status))
        });
      } else {
        text = S.t('subjectAnswerNo', { kind: S.t('kind_' + a.kind) });
      }
      var rs = Array.isArray(a.recipients) ? a.recipients : [];
      text += ' ' + S.t(rs.length ? 'subjectAnswerShared' : 'subjectAnswerNotShared');
      rs.forEach(function (r) {
        if (!r || typeof r !== 'object') return;
        var who = String(r.organisation || '') + (r.sector ? ' (' + String(r.sector) + ')' : '');
        list.appendChild(S.el('li', {
          text: S.t('subjectRecipient', {
            who: who,
            what: S.tOr('subjectWhat_' + r.what, String(r.what)),
            at: S.formatDate(r.at)
          })
        }));
      });
      list.hidden = rs.length === 0;
    } else if (d.status === 'upheld') {
      text = S.t('subjectUpheld') + (d.decision_reason ? ' ' + String(d.decision_reason) : '');
    } else if (d.status === 'rejected') {
      text = S.t('subjectRejected', { reason: String(d.decision_reason || '') });
    } else {
      text = S.t(d.type === 'objection' ? 'subjectPendingObjection' : 'subjectPendingAccess');
    }
    S.$('subject-view-text').textContent = text;
    S.$('subject-view').hidden = false;
  }

  function lookup(code, moveFocus) {
    S.$('lookup-status').textContent = S.t('loading');
    S.api('GET', '/v1/subject-requests/' + encodeURIComponent(code)).then(function (res) {
      S.$('lookup-status').textContent = '';
      if (!res.ok || !res.data || typeof res.data !== 'object') {
        S.$('subject-view').hidden = true;
        shown = null;
        S.showErrors([{
          id: 'lookup-code',
          message: res.status === 404 ? S.t('errSubjectCodeNotFound') : S.problemText(res)
        }]);
        return;
      }
      S.clearErrors();
      render(res.data);
      if (moveFocus) S.focus(S.$('subject-view-heading'));
    });
  }

  lookupForm.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var raw = S.$('lookup-code').value;
    if (!raw.trim()) {
      S.showErrors([{ id: 'lookup-code', message: S.t('errSubjectCodeEmpty') }]);
      return;
    }
    var code = S.normaliseCode(raw);
    if (!code) {
      S.showErrors([{ id: 'lookup-code', message: S.t('errSubjectCodeFormat') }]);
      return;
    }
    S.$('lookup-code').value = code;
    lookup(code, true);
  });

  document.addEventListener('signaal:lang', function () {
    fillKinds();
    if (shown) render(shown);
  });

  /* A code in the fragment (a link kept by the person) is looked up at once. */
  function fromHash() {
    var code = null;
    try {
      code = window.location.hash ? S.normaliseCode(decodeURIComponent(window.location.hash.slice(1))) : null;
    } catch (e) { code = null; }
    if (!code) return;
    /* The code leaves the address bar once read, so that it stays out of history. */
    try { window.history.replaceState(null, '', window.location.pathname); } catch (e) { /* ignore */ }
    S.$('lookup-code').value = code;
    lookup(code, true);
  }

  window.addEventListener('hashchange', fromHash);
  fillKinds();
  showReason();
  fromHash();
})();
