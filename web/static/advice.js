/*
 * advice.js - the advice page (/advice?fraud_type=...&payment_method=...&lang=...):
 * choose a fraud type, see the advice steps from GET /v1/advice.
 */
'use strict';

(function () {
  var S = window.Signaal;
  var form = S.$('advice-form');
  var typeSel = S.$('advice-fraud-type');
  var paySel = S.$('advice-payment-method');
  var shown = null;       /* {fraud_type, payment_method, kinds} of the advice on screen */
  var requestNo = 0;

  var params = new URLSearchParams(window.location.search);
  var qLang = params.get('lang');
  if ((qLang === 'nl' || qLang === 'en') && qLang !== S.lang) S.setLang(qLang);

  function fill() {
    S.clear(typeSel);
    typeSel.appendChild(S.el('option', { value: '', i18n: 'choose' }));
    S.tax.fraud_types.forEach(function (e) {
      typeSel.appendChild(S.el('option', { value: e.code, tax: 'fraud_types|' + e.code }));
    });
    S.clear(paySel);
    paySel.appendChild(S.el('option', { value: '', i18n: 'advicePaymentNone' }));
    (S.tax.payment_methods || []).forEach(function (e) {
      paySel.appendChild(S.el('option', { value: e.code, tax: 'payment_methods|' + e.code }));
    });
  }

  function updateUrl() {
    var q = new URLSearchParams();
    if (shown) {
      q.set('fraud_type', shown.fraud_type);
      if (shown.payment_method) q.set('payment_method', shown.payment_method);
      if (shown.kinds) q.set('kinds', shown.kinds);
    }
    q.set('lang', S.lang);
    try {
      window.history.replaceState(null, '', window.location.pathname + '?' + q.toString());
    } catch (e) { /* ignore */ }
  }

  function renderHeading() {
    if (!shown) return;
    S.$('advice-heading').textContent = S.t('adviceFor', { type: S.taxText('fraud_types', shown.fraud_type) });
    S.$('advice-description').textContent = S.taxText('fraud_types', shown.fraud_type, 'description');
  }

  function load(want, moveFocus) {
    var q = 'fraud_type=' + encodeURIComponent(want.fraud_type);
    if (want.payment_method) q += '&payment_method=' + encodeURIComponent(want.payment_method);
    if (want.kinds) q += '&kinds=' + encodeURIComponent(want.kinds);
    q += '&lang=' + encodeURIComponent(S.lang);
    var my = ++requestNo;
    S.$('advice-status').textContent = S.t('loading');
    S.api('GET', '/v1/advice?' + q, undefined, { cache: 'default' }).then(function (res) {
      if (my !== requestNo) return;
      S.$('advice-status').textContent = '';
      if (!res.ok || !res.data) {
        var errs = S.problemErrors(res);
        S.showErrors(errs.length ? errs.map(function (e) {
          return { id: /^payment/.test(e.field) ? 'advice-payment-method' : /^fraud/.test(e.field) ? 'advice-fraud-type' : null, message: e.message };
        }) : [{ id: null, message: S.problemText(res) }]);
        return;
      }
      S.clearErrors();
      shown = want;
      renderHeading();
      S.renderAdvice(S.$('advice-list'), res.data.advice, 3);
      S.$('advice-result').hidden = false;
      updateUrl();
      if (moveFocus) S.focus(S.$('advice-heading'));
    });
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    if (!S.tax) return;
    if (!typeSel.value) {
      S.showErrors([{ id: 'advice-fraud-type', message: S.t('errFraudType') }]);
      return;
    }
    load({ fraud_type: typeSel.value, payment_method: paySel.value || null, kinds: null }, true);
  });

  document.addEventListener('signaal:lang', function () {
    if (shown) load(shown, false);
    else updateUrl();
  });

  S.loadTaxonomy().then(function () {
    fill();
    var ft = params.get('fraud_type');
    var pm = params.get('payment_method');
    var kinds = params.get('kinds');
    if (pm && S.taxEntry('payment_methods', pm)) paySel.value = pm;
    if (ft && S.taxEntry('fraud_types', ft)) {
      typeSel.value = ft;
      var k = kinds && /^[a-z,]{1,100}$/.test(kinds) ? kinds : null;
      load({ fraud_type: ft, payment_method: paySel.value || null, kinds: k }, false);
    }
  }, function () {
    S.showErrors([{ id: null, message: S.t('errTaxonomy') }]);
  });
})();
