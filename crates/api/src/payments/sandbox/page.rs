//! The sandbox's hosted pay page: `GET /sandbox/pay/{charge}` shows the amount and a form,
//! `POST` submits it. Card details go to the sandbox only; the platform receives a token.

use super::super::gateway::{ChargeStatus, OnlineMethod};
use super::{Instrument, Submitted};
use crate::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/sandbox/pay/{charge}", get(show).post(submit))
}

#[derive(Debug, Deserialize)]
pub struct PayForm {
    /// `pay` or `decline`.
    action: String,
    card_number: Option<String>,
    expiry: Option<String>,
    cvv: Option<String>,
    upi_id: Option<String>,
}

fn rupees(paise: i64) -> String {
    format!("₹{}.{:02}", paise / 100, paise % 100)
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} · Dabba sandbox</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem}}\
         label{{display:block;margin:.6rem 0}}input{{width:100%;padding:.5rem;font-size:1rem}}\
         button{{padding:.6rem 1.2rem;margin:.8rem .4rem 0 0;font-size:1rem}}.note{{color:#666;font-size:.85rem}}\
         .sandbox{{background:#fff3cd;border:2px solid #b58100;padding:.6rem;border-radius:.4rem}}</style>\
         </head><body><p class=\"sandbox\" role=\"note\"><strong>Sandbox, not a real payment page.</strong> \
         This server pays with Dabba's test gateway: no real money moves. Never type a real card here.</p>\
         <h1>{title}</h1>{body}</body></html>"
    );
    (status, Html(html)).into_response()
}

fn form(charge: &str, amount: i64, method: OnlineMethod, error: Option<&str>) -> String {
    let error = error.map(|e| format!("<p role=\"alert\"><strong>{e}</strong></p>")).unwrap_or_default();
    let fields = match method {
        OnlineMethod::Card => {
            "<label>Card number<input name=\"card_number\" inputmode=\"numeric\" autocomplete=\"cc-number\" required></label>\
             <label>Expiry (MM/YY)<input name=\"expiry\" autocomplete=\"cc-exp\" required></label>\
             <label>CVV<input name=\"cvv\" inputmode=\"numeric\" autocomplete=\"cc-csc\" required></label>\
             <p class=\"note\">Test cards: 4111 1111 1111 1111 (paid), 4000 0000 0000 0002 (declined), \
             4000 0000 0000 0259 (delayed), 4000 0000 0000 0077 (paid, webhook lost).</p>"
        }
        OnlineMethod::Upi => {
            "<label>UPI id<input name=\"upi_id\" required></label>\
             <p class=\"note\">Test ids: success@dabba, failure@dabba, delayed@dabba, lost@dabba.</p>"
        }
    };
    format!(
        "{error}<p>Pay <strong>{}</strong> by {}.</p><form method=\"post\" action=\"/sandbox/pay/{charge}\">{fields}\
         <button name=\"action\" value=\"pay\">Pay</button>\
         <button name=\"action\" value=\"decline\" formnovalidate>Decline</button></form>",
        rupees(amount),
        method.as_str()
    )
}

async fn show(State(state): State<AppState>, Path(charge): Path<String>) -> Response {
    let Some(sandbox) = state.payments.sandbox.as_ref() else { return page(StatusCode::NOT_FOUND, "Not found", "") };
    match sandbox.describe(&charge) {
        None => page(StatusCode::NOT_FOUND, "No such payment", "<p>This payment link is not valid.</p>"),
        Some((_, _, _, status)) if status != ChargeStatus::Pending => {
            page(StatusCode::CONFLICT, "Already done", "<p>This payment was already completed or declined.</p>")
        }
        Some((amount, _, method, _)) => page(StatusCode::OK, "Pay Dabba", &form(&charge, amount, method, None)),
    }
}

async fn submit(
    State(state): State<AppState>,
    crate::edge::ClientIp(ip): crate::edge::ClientIp,
    Path(charge): Path<String>,
    Form(f): Form<PayForm>,
) -> Response {
    let Some(sandbox) = state.payments.sandbox.clone() else { return page(StatusCode::NOT_FOUND, "Not found", "") };
    // Card numbers are guessable too: a few submissions a minute per address.
    if let Err(e) = state.edge.check(crate::edge::Bucket::PayPage, &ip.to_string()) {
        return e.into_response();
    }
    let Some((amount, _, method, _)) = sandbox.describe(&charge) else {
        return page(StatusCode::NOT_FOUND, "No such payment", "<p>This payment link is not valid.</p>");
    };
    let instrument = match (f.action.as_str(), method) {
        ("decline", _) => Instrument::Decline,
        ("pay", OnlineMethod::Card) => Instrument::Card {
            number: f.card_number.unwrap_or_default(),
            expiry: f.expiry.unwrap_or_default(),
            cvv: f.cvv.unwrap_or_default(),
        },
        ("pay", OnlineMethod::Upi) => Instrument::Upi { vpa: f.upi_id.unwrap_or_default() },
        _ => {
            return page(
                StatusCode::BAD_REQUEST,
                "Pay Dabba",
                &form(&charge, amount, method, Some("choose Pay or Decline")),
            );
        }
    };
    let back = "<p><a href=\"/\">Return to Dabba</a></p>";
    match sandbox.submit(&charge, instrument).await {
        Ok(Submitted::Paid) => page(StatusCode::OK, "Payment successful", back),
        Ok(Submitted::Declined(reason)) => {
            page(StatusCode::OK, "Payment declined", &format!("<p>The bank said: {reason}.</p>{back}"))
        }
        Ok(Submitted::Processing) => page(
            StatusCode::ACCEPTED,
            "Payment processing",
            &format!("<p>Your bank is confirming the payment.</p>{back}"),
        ),
        Err(e) if e.contains("already") => page(StatusCode::CONFLICT, "Already done", &format!("<p>{e}.</p>")),
        Err(e) => page(StatusCode::UNPROCESSABLE_ENTITY, "Pay Dabba", &form(&charge, amount, method, Some(&e))),
    }
}
