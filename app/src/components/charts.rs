//! Charts that read as well as they look: a bar chart is a table (its labels links to what each bar stands for,
//! reachable by keyboard) with an SVG bar in each row; a chart over time is an SVG image with a label saying what it
//! shows, and the same numbers in a table beneath it. Bars are sized by SVG attributes (the content security
//! policy allows no inline styles).

use leptos::prelude::*;
use leptos_router::components::A;
use seatwise_types::{Money, SpendMonth};

use crate::components::MoneyText;
use crate::format;

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// One bar: what it stands for, where its detail is, its amount and a note.
#[derive(Debug, Clone, PartialEq)]
pub struct BarRow {
    pub label: String,
    pub href: String,
    pub value: Money,
    pub note: String,
}

/// A horizontal bar chart as a table.
#[component]
pub fn BarTable(
    id: &'static str,
    title: &'static str,
    value_label: &'static str,
    rows: Vec<BarRow>,
    /// Shown instead of the table when there are no rows.
    empty: &'static str,
) -> impl IntoView {
    let largest = rows.iter().map(|r| r.value.amount_minor).max().unwrap_or(1).max(1);
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <section class="panel chart" aria-labelledby=labelled_by>
            <h2 id=title_id>{title}</h2>
            {if rows.is_empty() {
                view! { <p class="muted">{empty}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0">
                    <table class="table bars" id=id>
                        <thead><tr><th scope="col">{title}</th><th scope="col">{value_label}</th></tr></thead>
                        <tbody>{rows.into_iter().map(|r| {
                            let width = (r.value.amount_minor.max(0) * 100 / largest).max(if r.value.amount_minor > 0 { 1 } else { 0 }).to_string();
                            view! { <tr>
                                <td><A href=r.href>{r.label}</A><div class="muted small">{r.note}</div></td>
                                <td><div class="bar-cell"><svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                                    <rect class="track" x="0" y="0" height="10" width="100"/><rect x="0" y="0" height="10" width=width/></svg>
                                    <MoneyText money=r.value/></div></td>
                            </tr> }
                        }).collect_view()}</tbody>
                    </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// Monthly spend over time: a column per month, the figures in a table beneath.
#[component]
pub fn MonthChart(id: &'static str, title: &'static str, months: Vec<SpendMonth>) -> impl IntoView {
    let largest = months.iter().map(|m| m.monthly_spend.amount_minor).max().unwrap_or(1).max(1);
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    let top = months
        .iter()
        .max_by_key(|m| m.monthly_spend.amount_minor)
        .map(|m| format::money(&m.monthly_spend))
        .unwrap_or_default();
    let n = months.len().max(1) as i64;
    let slot = 600 / n;
    let summary = match (months.first(), months.last()) {
        (Some(a), Some(b)) => format!(
            "Monthly spend from {} ({}) to {} ({}); the table below has every month.",
            a.month,
            format::money(&a.monthly_spend),
            b.month,
            format::money(&b.monthly_spend)
        ),
        _ => "No months to show.".into(),
    };
    let columns = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let height = m.monthly_spend.amount_minor.max(0) * 160 / largest;
            let x = i as i64 * slot + slot / 6;
            let label_x = (i as i64 * slot + slot / 2).to_string();
            // The month's short name under its column.
            let short = m.month.get(5..7).and_then(|n| n.parse::<usize>().ok()).and_then(|n| MONTHS.get(n.wrapping_sub(1))).copied().unwrap_or("").to_string();
            view! {
                <rect class="column" x=x.to_string() y=(170 - height).to_string() width=(slot * 2 / 3).to_string() height=height.to_string()/>
                <text class="axis" x=label_x y="190" text-anchor="middle">{short}</text>
            }
        })
        .collect_view();
    view! {
        <section class="panel chart" aria-labelledby=labelled_by>
            <h2 id=title_id>{title}</h2>
            <svg class="month-chart" viewBox="0 0 600 200" role="img" aria-label=summary tabindex="0">
                <line class="gridline" x1="0" y1="10" x2="600" y2="10"/>
                <text class="axis" x="0" y="8" aria-hidden="true">{top}</text>
                <line class="baseline" x1="0" y1="170" x2="600" y2="170"/>
                {columns}
            </svg>
            <details class="chart-data">
                <summary>"The numbers"</summary>
                <table class="table" id=id>
                    <thead><tr><th scope="col">"Month"</th><th scope="col" class="num">"Monthly spend"</th><th scope="col" class="num">"Annual run rate"</th></tr></thead>
                    <tbody>{months.into_iter().map(|m| view! {
                        <tr><td>{m.month}</td><td class="num"><MoneyText money=m.monthly_spend/></td><td class="num"><MoneyText money=m.annual_run_rate/></td></tr>
                    }).collect_view()}</tbody>
                </table>
            </details>
        </section>
    }
}
