-- wrk script: POST one victim report (two identifiers) per request.
wrk.method = "POST"
wrk.path = "/v1/reports"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{"fraud_type": "bank_helpdesk", "channels": ["phone_call"],
 "description": "Iemand belde namens de bank en vroeg om geld over te maken naar een veilige rekening.",
 "occurred_at": "2026-11-20T14:00:00Z",
 "loss": {"amount_cents": 125000, "currency": "EUR", "payment_method": "bank_transfer"},
 "identifiers": [{"kind": "iban", "value": "NL91 ABNA 0417 1643 00", "role": "beneficiary"},
                 {"kind": "phone", "value": "020-1234567", "role": "caller"}],
 "victim": {"type": "citizen", "age_band": "65_74", "municipality": "GM0363",
            "contact": {"email": "jan@example.nl", "phone": "06-12345678"}},
 "consent": {"bank": true, "police": true, "helpdesk": false, "victim_support": true, "platform": false},
 "language": "nl"}]]

local bad = 0
response = function(status, headers, body)
  if status ~= 201 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("non201=%d\n", summary.errors.status))
end
