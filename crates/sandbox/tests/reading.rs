//! Envelope, paging (to the end of 100k jobs), sorting, filters and the other
//! read endpoints.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn ids(body: &Value) -> Vec<i64> {
    body["data"]
        .as_array()
        .expect("data array")
        .iter()
        .map(|r| r["id"].as_i64().expect("integer id"))
        .collect()
}

#[tokio::test]
async fn pages_to_the_end_of_100k_jobs() {
    let sb = start(100_000).await;
    no_rate_limit(&sb).await;
    let token = sb.demo().token.clone();
    let mut path = "/jobs?pageCursor=0&pageSize=1000".to_owned();
    let mut seen = 0usize;
    let mut last_id = i64::MIN;
    let mut pages = 0;
    loop {
        let (status, body) = get_json(&sb, &token, &path).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["result"], "success");
        assert_eq!(body["paging"]["perPage"], 1000);
        assert_eq!(body["paging"]["pageCount"], 100);
        for id in ids(&body) {
            assert!(id > last_id, "ids ascend across pages");
            last_id = id;
            seen += 1;
        }
        pages += 1;
        match body["paging"]["links"]["next"].as_str() {
            Some(next) => path = next.to_owned(),
            None => break,
        }
        assert!(pages <= 100, "paging must end");
    }
    assert_eq!(seen, 100_000);
    assert_eq!(pages, 100);
    // Past the end: an empty page, no next.
    let (_, body) = get_json(&sb, &token, "/jobs?pageCursor=100000&pageSize=10").await;
    assert_eq!(ids(&body).len(), 0);
    assert!(body["paging"]["links"]["next"].is_null());
    sb.shutdown().await;
}

#[tokio::test]
async fn envelope_links_and_default_page_size() {
    let sb = start(95).await;
    let token = sb.demo().token.clone();
    let (status, body) = get_json(&sb, &token, "/jobs").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["paging"]["perPage"], 10);
    assert_eq!(body["paging"]["pageCount"], 10);
    let links = &body["paging"]["links"];
    assert_eq!(links["self"], "/jobs?pageCursor=0&pageSize=10");
    assert!(links["previous"].is_null());
    assert_eq!(links["next"], "/jobs?pageCursor=10&pageSize=10");
    let job = &body["data"][0];
    for field in [
        "id",
        "jobNo",
        "description",
        "longDescription",
        "jobType",
        "status",
        "customer",
        "siteAddress",
        "mainContact",
        "activeQuote",
        "onHold",
        "archived",
        "createdAt",
        "lastModified",
        "links",
    ] {
        assert!(job.get(field).is_some(), "job has {field}");
    }
    assert_eq!(job["links"][0]["rel"], "self");
    assert_eq!(job["links"][0]["href"], format!("/jobs/{}", job["id"]));
    assert!(job["createdAt"].as_str().unwrap_or("").ends_with('Z'));

    // Last page; other query parameters are kept in the links; unknown ones ignored.
    let (_, body) = get_json(&sb, &token, "/jobs?pageCursor=90&pageSize=10&limit=1").await;
    assert_eq!(ids(&body).len(), 5);
    assert!(body["paging"]["links"]["next"].is_null());
    assert_eq!(
        body["paging"]["links"]["previous"],
        "/jobs?pageCursor=80&pageSize=10&limit=1"
    );

    // Single record: object data, no paging.
    let id = job["id"].as_i64().expect("id");
    let (status, one) = get_json(&sb, &token, &format!("/jobs/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["data"]["id"], id);
    assert!(one.get("paging").is_none());
    let (status, missing) = get_json(&sb, &token, "/jobs/999999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_fastify(&missing, 404);
    sb.shutdown().await;
}

#[tokio::test]
async fn sorting() {
    let sb = start(400).await;
    no_rate_limit(&sb).await;
    let token = sb.demo().token.clone();
    let (_, body) = get_json(
        &sb,
        &token,
        "/jobs?pageSize=1000&sortField=lastModified&sortOrder=desc",
    )
    .await;
    let stamps: Vec<&str> = body["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|j| j["lastModified"].as_str().expect("time"))
        .collect();
    assert_eq!(stamps.len(), 400);
    assert!(
        stamps.windows(2).all(|w| w[0] >= w[1]),
        "lastModified descending"
    );
    let (_, body) = get_json(
        &sb,
        &token,
        "/jobs?pageSize=5&sortField=jobNo&sortOrder=desc",
    )
    .await;
    let numbers: Vec<i64> = body["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|j| j["jobNo"].as_i64().unwrap_or(0))
        .collect();
    assert!(numbers.windows(2).all(|w| w[0] > w[1]));
    assert_eq!(numbers[0], 899);
    let (_, body) = get_json(
        &sb,
        &token,
        "/customers?pageSize=50&sortField=customerFullName",
    )
    .await;
    let names: Vec<&str> = body["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|c| c["customerFullName"].as_str().unwrap_or(""))
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]));
    let (status, body) = get_json(
        &sb,
        &token,
        "/notes?pageSize=100&sortField=created_at&sortOrder=desc",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let stamps: Vec<&str> = body["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|n| n["createdAt"].as_str().unwrap_or(""))
        .collect();
    assert!(stamps.windows(2).all(|w| w[0] >= w[1]));
    let (status, body) = get_json(&sb, &token, "/jobs?sortField=colour").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_fastify(&body, 400);
    sb.shutdown().await;
}

#[tokio::test]
async fn job_filters() {
    let sb = start(600).await;
    no_rate_limit(&sb).await;
    let token = sb.demo().token.clone();
    let all = get_json(&sb, &token, "/jobs?pageSize=1000").await.1;
    let all = all["data"].as_array().expect("data").clone();
    let statuses: std::collections::BTreeSet<&str> = all
        .iter()
        .map(|j| j["status"].as_str().unwrap_or(""))
        .collect();
    assert!(statuses.len() >= 8, "all statuses present: {statuses:?}");

    let (_, body) = get_json(
        &sb,
        &token,
        "/jobs?pageSize=1000&filterJobStatus=In%20Progress",
    )
    .await;
    let expected = all.iter().filter(|j| j["status"] == "In Progress").count();
    assert!(expected > 0);
    assert_eq!(body["data"].as_array().map(Vec::len), Some(expected));
    assert!(body["paging"]["links"]["self"]
        .as_str()
        .unwrap_or("")
        .contains("filterJobStatus=In%20Progress"));

    let (_, body) = get_json(&sb, &token, "/jobs?pageSize=1000&filterJobType=Charge%20Up").await;
    assert_eq!(
        body["data"].as_array().map(Vec::len),
        Some(all.iter().filter(|j| j["jobType"] == "Charge Up").count())
    );

    let (_, body) = get_json(&sb, &token, "/jobs?filterJobNo=Job-505").await;
    assert_eq!(body["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(body["data"][0]["jobNo"], 505);
    let (_, body) = get_json(&sb, &token, "/jobs?filterJobNo=505").await;
    assert_eq!(body["data"][0]["jobNo"], 505);

    let customer = all[3]["customer"]["id"].as_i64().expect("customer id");
    let (_, body) = get_json(
        &sb,
        &token,
        &format!("/jobs?pageSize=1000&filterCustomerId={customer}"),
    )
    .await;
    let rows = body["data"].as_array().expect("data");
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|j| j["customer"]["id"] == customer));
    let site = all[3]["siteAddress"]["id"].as_i64().expect("site id");
    let (_, body) = get_json(
        &sb,
        &token,
        &format!("/jobs?pageSize=1000&filterSiteId={site}"),
    )
    .await;
    assert!(body["data"]
        .as_array()
        .expect("data")
        .iter()
        .all(|j| j["siteAddress"]["id"] == site));

    let (_, body) = get_json(
        &sb,
        &token,
        "/jobs?pageSize=1000&filterSearchText=HEAT%20PUMP",
    )
    .await;
    let rows = body["data"].as_array().expect("data");
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|j| {
        let text = format!("{} {}", j["title"], j["description"]).to_lowercase();
        text.contains("heat pump")
            || j["customer"]["customerFullName"]
                .as_str()
                .unwrap_or("")
                .to_lowercase()
                .contains("heat pump")
    }));
    sb.shutdown().await;
}

#[tokio::test]
async fn other_read_endpoints() {
    let sb = start(800).await;
    no_rate_limit(&sb).await;
    let token = sb.demo().token.clone();

    let (_, body) = get_json(&sb, &token, "/customers?filterSearchText=ltd&pageSize=1000").await;
    let rows = body["data"].as_array().expect("data");
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|c| c["customerFullName"]
        .as_str()
        .unwrap_or("")
        .to_lowercase()
        .contains("ltd")
        || c["mainContact"]["firstName"]
            .as_str()
            .unwrap_or("")
            .to_lowercase()
            .contains("ltd")));

    for path in [
        "/sites",
        "/contacts",
        "/enquiries",
        "/users",
        "/jobs/quotes",
        "/customerInvoices",
        "/notes",
    ] {
        let (status, body) = get_json(&sb, &token, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(body["result"], "success");
        assert!(!ids(&body).is_empty(), "{path} has records");
        assert!(body["paging"]["links"]["self"]
            .as_str()
            .unwrap_or("")
            .starts_with(path));
        let href = body["data"][0]["links"][0]["href"]
            .as_str()
            .expect("href")
            .to_owned();
        let (status, one) = get_json(&sb, &token, &href).await;
        assert_eq!(status, StatusCode::OK, "{href}");
        assert_eq!(one["data"]["id"], body["data"][0]["id"]);
    }
    assert_eq!(
        get(&sb, &token, "/quotes").await.status(),
        StatusCode::NOT_FOUND
    );

    let (_, quotes) = get_json(&sb, &token, "/jobs/quotes?pageSize=20").await;
    let quote = &quotes["data"][0];
    assert!(quote["sections"][0]["lineItems"][0]["itemName"].is_string());
    let (_, accepted) = get_json(
        &sb,
        &token,
        "/jobs/quotes?filterStatus=Accepted&pageSize=1000",
    )
    .await;
    assert!(accepted["data"]
        .as_array()
        .expect("data")
        .iter()
        .all(|q| q["isAccepted"] == true));
    let job_id = quote["jobId"].as_i64().expect("job id");
    let (_, job_quotes) = get_json(&sb, &token, &format!("/jobs/{job_id}/quotes")).await;
    assert!(job_quotes["data"]
        .as_array()
        .expect("data")
        .iter()
        .all(|q| q["jobId"] == job_id));

    let (_, invoices) = get_json(&sb, &token, "/customerInvoices?pageSize=1000").await;
    let invoice = &invoices["data"][0];
    let subtotal = invoice["subtotal"].as_f64().expect("subtotal");
    let tax = invoice["taxValue"].as_f64().expect("tax");
    assert_eq!(invoice["taxRate"], 15);
    assert!((subtotal * 0.15 - tax).abs() < 0.01);
    let customer = invoice["customerId"].as_i64().expect("customer");
    let (_, filtered) = get_json(
        &sb,
        &token,
        &format!("/customerInvoices?customerId={customer}"),
    )
    .await;
    assert!(filtered["data"]
        .as_array()
        .expect("data")
        .iter()
        .all(|i| i["customerId"] == customer));

    let (_, todo) = get_json(&sb, &token, "/enquiries?filterStatus=TODO&pageSize=1000").await;
    assert!(todo["data"]
        .as_array()
        .expect("data")
        .iter()
        .all(|e| e["status"] == "TODO"));
    let (status, _) = get_json(&sb, &token, "/enquiries?filterStatus=MAYBE").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (_, notes) = get_json(&sb, &token, "/notes?filterEntityName=JOB&pageSize=5").await;
    let entity = notes["data"][0]["entityId"].as_i64().expect("entity");
    let (_, on_one) = get_json(
        &sb,
        &token,
        &format!("/notes?filterEntityName=JOB&filterEntityId={entity}"),
    )
    .await;
    assert!(on_one["data"]
        .as_array()
        .expect("data")
        .iter()
        .all(|n| n["entityId"] == entity && n["entityName"] == "JOB"));

    let (_, users) = get_json(&sb, &token, "/users?pageSize=100").await;
    assert!(users["data"]
        .as_array()
        .expect("data")
        .iter()
        .any(|u| u["id"] == sb.demo().user_id && u["userType"] == "admin"));

    // Time entries: the last week only without dates; everything in a wide range.
    let (_, week) = get_json(&sb, &token, "/timeEntries?pageSize=1000").await;
    let week_rows = week["data"].as_array().expect("data");
    assert!(!week_rows.is_empty());
    let cutoff = (chrono::Utc::now() - chrono::Duration::days(8))
        .format("%Y-%m-%d %H:%M")
        .to_string();
    assert!(week_rows
        .iter()
        .all(|t| t["startTime"].as_str().unwrap_or("") >= cutoff.as_str()));
    assert!(week_rows[0]["timeEntryId"].is_i64());
    let (_, wide) = get_json(
        &sb,
        &token,
        "/timeEntries?pageSize=1000&dateFrom=2000-01-01&dateTo=2100-01-01",
    )
    .await;
    assert!(wide["data"].as_array().map(Vec::len).unwrap_or(0) > week_rows.len());

    // Calendar: a date range, not paged.
    let (status, calendar) = get_json(&sb, &token, "/calendarEvents").await;
    assert_eq!(status, StatusCode::OK);
    assert!(calendar["data"].is_array());
    assert!(calendar.get("paging").is_none());
    let from = (chrono::Utc::now() - chrono::Duration::days(40))
        .format("%Y-%m-%d")
        .to_string();
    let to = (chrono::Utc::now() + chrono::Duration::days(40))
        .format("%Y-%m-%d")
        .to_string();
    let (_, wide) = get_json(
        &sb,
        &token,
        &format!("/calendarEvents?startDate={from}&endDate={to}"),
    )
    .await;
    assert!(wide["data"].as_array().map(Vec::len).unwrap_or(0) > 0);
    sb.shutdown().await;
}

#[tokio::test]
async fn cursor_bug_repeats_page_cursor_when_on() {
    let sb = start(60).await;
    let token = sb.demo().token.clone();
    let on = control(&sb, "/cursor-bug", json!({"enabled": true})).await;
    assert_eq!(on["enabled"], true);
    let (_, body) = get_json(&sb, &token, "/jobs?pageCursor=10&pageSize=10").await;
    let links = &body["paging"]["links"];
    assert_eq!(
        links["self"],
        "/jobs?pageCursor=0&pageSize=10&pageCursor=10"
    );
    assert_eq!(
        links["previous"],
        "/jobs?pageCursor=0&pageSize=10&pageCursor=0"
    );
    assert_eq!(links["next"], "/jobs?pageCursor=20&pageSize=10");
    // The server takes the last occurrence, like a careful client.
    let (_, again) = get_json(&sb, &token, links["self"].as_str().expect("self")).await;
    assert_eq!(ids(&again), ids(&body));

    control(&sb, "/cursor-bug", json!({"enabled": false})).await;
    let (_, body) = get_json(&sb, &token, "/jobs?pageCursor=10&pageSize=10").await;
    assert_eq!(
        body["paging"]["links"]["self"],
        "/jobs?pageCursor=10&pageSize=10"
    );
    assert_eq!(
        body["paging"]["links"]["previous"],
        "/jobs?pageCursor=0&pageSize=10"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn same_seed_same_json_different_seed_different_json() {
    let sb = start(10).await;
    no_rate_limit(&sb).await;
    let a = control(
        &sb,
        "/companies",
        json!({"name": "Twin", "jobs": 300, "seed": 11}),
    )
    .await;
    let b = control(
        &sb,
        "/companies",
        json!({"name": "Twin", "jobs": 300, "seed": 11}),
    )
    .await;
    let c = control(
        &sb,
        "/companies",
        json!({"name": "Twin", "jobs": 300, "seed": 12}),
    )
    .await;
    let token = |v: &Value| v["token"].as_str().expect("token").to_owned();
    for path in [
        "/jobs?pageSize=1000",
        "/customers?pageSize=1000",
        "/jobs/quotes?pageSize=1000",
        "/customerInvoices?pageSize=1000",
        "/sites?pageSize=1000",
    ] {
        let (_, ja) = get_json(&sb, &token(&a), path).await;
        let (_, jb) = get_json(&sb, &token(&b), path).await;
        let (_, jc) = get_json(&sb, &token(&c), path).await;
        assert_eq!(ja, jb, "{path}: same seed, same data");
        assert_ne!(ja, jc, "{path}: different seed, different data");
    }
    sb.shutdown().await;
}
