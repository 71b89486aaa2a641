//! Creating jobs (draft rules, validation), customers (303 on duplicates, PUT,
//! soft DELETE), sites, contacts, enquiries and notes; bad input of every kind.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn new_customer(name: &str) -> Value {
    json!({
        "customerFullName": name,
        "mainContact": {"firstName": "Mere", "lastName": "Parata",
            "contactItems": [{"contactType": "email", "contactValue": "mere@example.co.nz"}]},
        "physicalAddress": {"address1": "12 Kauri Street", "addressCity": "Nelson", "city": "ignored"}
    })
}

#[tokio::test]
async fn jobs_drafts_never_appear_and_non_drafts_need_fields() {
    let sb = start(30).await;
    let token = sb.demo().token.clone();
    let (status, draft, _) = send_json(
        &sb,
        Method::POST,
        &token,
        "/jobs",
        &json!({"jobType": "Quote", "title": "Secret draft xyzzy"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{draft}");
    assert_eq!(draft["data"]["status"], "Draft");
    let draft_id = draft["data"]["id"].as_i64().expect("id");
    assert_eq!(
        get(&sb, &token, &format!("/jobs/{draft_id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let (_, found) = get_json(&sb, &token, "/jobs?filterSearchText=xyzzy").await;
    assert_eq!(found["data"].as_array().map(Vec::len), Some(0));

    let (status, body, _) = send_json(
        &sb,
        Method::POST,
        &token,
        "/jobs",
        &json!({"jobType": "Quote", "title": "Real job", "isDraft": false}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "Bad Request");
    assert_eq!(body["statusCode"], 400);
    let message = body["message"].as_str().unwrap_or("");
    assert!(message.starts_with("Validation Failed: ["), "{message}");
    for field in ["description", "customerId", "siteId"] {
        assert!(message.contains(field), "{message} names {field}");
    }

    let (_, customers) = get_json(&sb, &token, "/customers?pageSize=1").await;
    let customer_id = customers["data"][0]["id"].as_i64().expect("customer");
    let (_, sites) = get_json(
        &sb,
        &token,
        &format!("/sites?filterCustomerId={customer_id}"),
    )
    .await;
    let site_id = sites["data"][0]["id"].as_i64().expect("site");
    let (status, job, _) = send_json(&sb, Method::POST, &token, "/jobs", &json!({
        "jobType": "Charge Up", "title": "Fix tap", "isDraft": false, "description": "Kitchen tap drips",
        "customerId": customer_id, "siteId": site_id, "customerReference": "PO-1"
    })).await;
    assert_eq!(status, StatusCode::OK, "{job}");
    let id = job["data"]["id"].as_i64().expect("id");
    assert_ne!(id, draft_id);
    let (status, read) = get_json(&sb, &token, &format!("/jobs/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["data"]["customer"]["id"], customer_id);
    assert_eq!(read["data"]["siteAddress"]["id"], site_id);

    let (status, body, _) = send_json(&sb, Method::POST, &token, "/jobs",
        &json!({"jobType": "Quote", "title": "x", "isDraft": false, "description": "d", "customerId": 1, "siteId": 1})).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "unknown customer/site: {body}"
    );
    let (status, _, _) = send_json(
        &sb,
        Method::POST,
        &token,
        "/jobs",
        &json!({"jobType": "Repair", "title": "x"}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "jobType must be one of the known ones"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn customers_create_duplicate_put_and_soft_delete() {
    let sb = start(30).await;
    let token = sb.demo().token.clone();
    let (status, created, _) = send_json(
        &sb,
        Method::POST,
        &token,
        "/customers",
        &new_customer("Harbour Cafe Ltd"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["data"]["id"].as_i64().expect("id");
    assert_eq!(created["data"]["physicalAddress"]["addressCity"], "Nelson");

    let (status, _, headers) = send_json(
        &sb,
        Method::POST,
        &token,
        "/customers",
        &new_customer("harbour cafe ltd"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], format!("/customers/{id}").as_str());

    let mut replaced = new_customer("Harbour Cafe & Bar Ltd");
    replaced["mainContact"]["firstName"] = json!("Tama");
    let (status, body, _) = send_json(
        &sb,
        Method::PUT,
        &token,
        &format!("/customers/{id}"),
        &replaced,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, read) = get_json(&sb, &token, &format!("/customers/{id}")).await;
    assert_eq!(read["data"]["customerFullName"], "Harbour Cafe & Bar Ltd");
    assert_eq!(read["data"]["mainContact"]["firstName"], "Tama");

    // DELETE with a JSON content type and no body: Fastify's quirk.
    let response = client()
        .delete(format!("{}/customers/{id}", sb.base_url()))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        body["message"],
        "Body cannot be empty when content-type is set to 'application/json'"
    );
    assert_eq!(body["statusCode"], 400);

    let (_, before) = get_json(&sb, &token, "/customers?pageSize=1").await;
    let pages_before = before["paging"]["pageCount"].as_i64().expect("count");
    let response = client()
        .delete(format!("{}/customers/{id}", sb.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        get(&sb, &token, &format!("/customers/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let (_, after) = get_json(&sb, &token, "/customers?pageSize=1").await;
    assert_eq!(
        after["paging"]["pageCount"].as_i64(),
        Some(pages_before - 1)
    );
    let (_, search) = get_json(
        &sb,
        &token,
        "/customers?filterSearchText=harbour%20cafe%20%26%20bar",
    )
    .await;
    assert_eq!(search["data"].as_array().map(Vec::len), Some(0));
    // The name is free again.
    let (status, _, _) = send_json(
        &sb,
        Method::POST,
        &token,
        "/customers",
        &new_customer("Harbour Cafe & Bar Ltd"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    sb.shutdown().await;
}

#[tokio::test]
async fn sites_contacts_enquiries_notes_can_be_created() {
    let sb = start(30).await;
    let token = sb.demo().token.clone();
    let site = json!({"defaultContact": {"firstName": "Kiri", "lastName": "Henare"},
        "siteAddress": {"address1": "9 Totara Avenue", "addressSuburb": "Roslyn", "addressCity": "Dunedin"}});
    let (status, created, _) = send_json(&sb, Method::POST, &token, "/sites", &site).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["data"]["id"].as_i64().expect("id");
    let (status, _, headers) = send_json(&sb, Method::POST, &token, "/sites", &site).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], format!("/sites/{id}").as_str());
    let (status, body, _) = send_json(
        &sb,
        Method::POST,
        &token,
        "/sites",
        &json!({"defaultContact": {"firstName": "Kiri"}, "siteAddress": {}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap_or("").contains("lastName"));

    let (status, _, _) = send_json(
        &sb,
        Method::POST,
        &token,
        "/contacts",
        &json!({"firstName": "Ngaio", "lastName": "Smith"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, enquiry, _) = send_json(
        &sb,
        Method::POST,
        &token,
        "/enquiries",
        &json!({"title": "Leaky roof", "contactName": "Sam"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(enquiry["data"]["status"], "TODO");
    let (status, note, _) = send_json(
        &sb,
        Method::POST,
        &token,
        "/notes",
        &json!({"entityName": "JOB", "entityId": 10000, "text": "Called"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(note["data"]["createdByUserId"], sb.demo().user_id);
    sb.shutdown().await;
}

#[tokio::test]
async fn bad_input_gets_fastify_style_errors() {
    let sb = start(30).await;
    let token = sb.demo().token.clone();
    let url = |path: &str| format!("{}{path}", sb.base_url());
    let post_raw = |path: &str, content_type: &str, body: Vec<u8>| {
        client()
            .post(url(path))
            .bearer_auth(&token)
            .header("content-type", content_type.to_owned())
            .body(body)
            .send()
    };

    // Malformed JSON.
    let response = post_raw(
        "/customers",
        "application/json",
        b"{\"customerFullName\": ".to_vec(),
    )
    .await
    .expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_fastify(&response.json().await.expect("json"), 400);
    // Not UTF-8.
    let response = post_raw(
        "/customers",
        "application/json",
        vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}'],
    )
    .await
    .expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_fastify(&response.json().await.expect("json"), 400);
    // Wrong types and unknown fields.
    let (status, body, _) = send_json(
        &sb,
        Method::POST,
        &token,
        "/customers",
        &json!({"customerFullName": 5, "mainContact": {"firstName": true}, "shoeSize": 44}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = body["message"].as_str().unwrap_or("");
    assert!(message.starts_with("Validation Failed: "), "{message}");
    assert!(
        message.contains("body/customerFullName must be string"),
        "{message}"
    );
    assert!(
        message.contains("body/mainContact/firstName must be string"),
        "{message}"
    );
    assert!(
        message.contains("must NOT have additional properties"),
        "{message}"
    );
    // Not an object at all.
    let (status, _, _) = send_json(&sb, Method::POST, &token, "/customers", &json!([1, 2])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Wrong content type.
    let response = post_raw("/customers", "text/plain", b"hello".to_vec())
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"], "FastifyError");
    assert_eq!(body["statusCode"], 415);
    assert_eq!(body["message"], "Unsupported Media Type: text/plain");
    // Empty JSON body on POST.
    let response = post_raw("/jobs", "application/json", Vec::new())
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // GET with a JSON content type is fine.
    let response = client()
        .get(url("/company"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    // Too large a body.
    let response = post_raw(
        "/customers",
        "application/json",
        vec![b' '; 2 * 1024 * 1024],
    )
    .await
    .expect("request");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // Query strings: huge page sizes are capped; nonsense is a 400.
    let (status, body) = get_json(&sb, &token, "/jobs?pageSize=1000000000").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["paging"]["perPage"], 1000);
    for bad in [
        "/jobs?pageSize=99999999999999999999999",
        "/jobs?pageSize=abc",
        "/jobs?pageSize=0",
        "/jobs?pageCursor=-1",
        "/jobs?sortOrder=sideways",
        "/jobs?filterCustomerId=abc",
        "/jobs?filterSearchText=%FF%FE",
        "/jobs/abc",
    ] {
        let (status, body) = get_json(&sb, &token, bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_fastify(&body, 400);
    }
    // Unknown routes and methods, /v1 and plain /quotes.
    for (method, path) in [
        (Method::GET, "/v1/jobs"),
        (Method::GET, "/quotes"),
        (Method::DELETE, "/jobs"),
        (Method::GET, "/"),
    ] {
        let response = client()
            .request(method.clone(), url(path))
            .bearer_auth(&token)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let body: Value = response.json().await.expect("json");
        assert_eq!(
            body,
            json!({"message": format!("Route {method}:{path} not found"), "error": "Not Found", "statusCode": 404})
        );
    }
    // The sandbox is still fine.
    assert_eq!(get(&sb, &token, "/company").await.status(), StatusCode::OK);
    sb.shutdown().await;
}

#[tokio::test]
async fn drafts_can_be_completed_and_finalised_and_jobs_held() {
    let sb = start(30).await;
    let token = sb.demo().token.clone();
    let (_, created, _) = send_json(
        &sb,
        Method::POST,
        &token,
        "/jobs",
        &json!({"jobType": "Quote", "title": "Later"}),
    )
    .await;
    let id = created["data"]["id"].as_i64().expect("id");
    // Finalising an incomplete draft fails and keeps it hidden.
    let (status, body, _) = send_json(
        &sb,
        Method::PUT,
        &token,
        &format!("/jobs/{id}/finalise"),
        &json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        get(&sb, &token, &format!("/jobs/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );

    let (_, customers) = get_json(&sb, &token, "/customers?pageSize=1").await;
    let customer_id = customers["data"][0]["id"].as_i64().expect("customer");
    let (_, sites) = get_json(
        &sb,
        &token,
        &format!("/sites?filterCustomerId={customer_id}"),
    )
    .await;
    let site_id = sites["data"][0]["id"].as_i64().expect("site");
    let (status, body, _) = send_json(&sb, Method::PUT, &token, &format!("/jobs/{id}"),
        &json!({"description": "Quote for a new cylinder", "customerId": customer_id, "siteId": site_id})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body, _) = send_json(
        &sb,
        Method::PUT,
        &token,
        &format!("/jobs/{id}/finalise"),
        &json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["status"], "To Price");
    let (status, read) = get_json(&sb, &token, &format!("/jobs/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["data"]["customer"]["id"], customer_id);
    // Not a draft any more: PUT is refused.
    let (status, _, _) = send_json(
        &sb,
        Method::PUT,
        &token,
        &format!("/jobs/{id}"),
        &json!({"title": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, held, _) = send_json(
        &sb,
        Method::POST,
        &token,
        &format!("/jobs/{id}/hold"),
        &json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(held["data"]["onHold"], true);
    let response = client()
        .post(format!("{}/jobs/{id}/resume", sb.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "no body, no content type is fine"
    );
    let (_, read) = get_json(&sb, &token, &format!("/jobs/{id}")).await;
    assert_eq!(read["data"]["onHold"], false);
    sb.shutdown().await;
}

#[tokio::test]
async fn head_requests_and_extreme_controls_do_not_break_the_sandbox() {
    let sb = start(10).await;
    let token = sb.demo().token.clone();
    let response = client()
        .head(format!("{}/company", sb.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    control(&sb, "/clock", json!({"advanceDays": i64::MAX})).await;
    assert_eq!(
        get(&sb, &token, "/company").await.status(),
        StatusCode::UNAUTHORIZED
    );
    control(&sb, "/clock", json!({"advanceDays": i64::MIN})).await;
    control(&sb, "/clock", json!({"reset": true})).await;
    assert_eq!(get(&sb, &token, "/company").await.status(), StatusCode::OK);
    let (status, _) = get_json(&sb, &token, "/calendarEvents?startDate=%2B262143-12-31").await;
    assert!(status == StatusCode::OK || status == StatusCode::BAD_REQUEST);
    let (status, _) = get_json(
        &sb,
        &token,
        "/timeEntries?dateFrom=9999-12-31&dateTo=0001-01-01",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Bad control bodies are 400s, never crashes.
    for (path, body) in [
        ("/faults", json!({"mode": "none", "failRate": 7})),
        ("/clock", json!({"advanceDays": "soon"})),
        ("/rate-limit", json!({"perMinute": 0})),
        ("/tokens", json!({"userId": 1, "extra": true})),
    ] {
        let response = client()
            .post(format!("{}/_sandbox{path}", sb.base_url()))
            .json(&body)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
    }
    let response = client()
        .post(format!("{}/_sandbox/nope", sb.base_url()))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(get(&sb, &token, "/company").await.status(), StatusCode::OK);
    sb.shutdown().await;
}

#[tokio::test]
async fn quotes_follow_their_lifecycle_and_sites_archive() {
    let sb = start(30).await;
    let token = sb.demo().token.clone();
    let (_, jobs) = get_json(&sb, &token, "/jobs?pageSize=1").await;
    let job_id = jobs["data"][0]["id"].as_i64().expect("job");
    let (status, created, _) = send_json(&sb, Method::POST, &token, &format!("/jobs/{job_id}/quotes"), &json!({
        "title": "New cylinder",
        "sections": [{"name": "Labour", "lineItems": [{"itemName": "Plumber", "itemQuantity": 2, "itemPrice": 95.5, "isLabour": true}]},
                     {"name": "Materials", "lineItems": [{"itemName": "Cylinder", "itemQuantity": 1, "itemPrice": 1800, "salesAccountId": 200}]}]
    })).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let quote = &created["data"];
    assert_eq!(quote["status"], "Draft");
    assert_eq!(quote["subtotal"], 1991.0);
    let id = quote["id"].as_i64().expect("id");
    let (_, job) = get_json(&sb, &token, &format!("/jobs/{job_id}")).await;
    assert_eq!(job["data"]["activeQuote"]["id"], id);

    let action = |name: &str| format!("/jobs/quotes/{id}/{name}");
    let (status, _, _) = send_json(&sb, Method::POST, &token, &action("accept"), &json!({})).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a draft cannot be accepted"
    );
    for (name, expected) in [
        ("publish", "Published"),
        ("markAsSent", "Sent"),
        ("accept", "Accepted"),
        ("void", "Voided"),
    ] {
        let (status, body, _) =
            send_json(&sb, Method::POST, &token, &action(name), &json!({})).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["data"]["status"], expected);
    }
    let (status, _, _) = send_json(&sb, Method::POST, &token, &action("void"), &json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "already void");

    let (_, sites) = get_json(&sb, &token, "/sites?pageSize=1").await;
    let site = sites["data"][0]["id"].as_i64().expect("site");
    let (status, body, _) = send_json(
        &sb,
        Method::POST,
        &token,
        &format!("/sites/{site}/archive"),
        &json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["isArchived"], true);
    let (_, body, _) = send_json(
        &sb,
        Method::POST,
        &token,
        &format!("/sites/{site}/restore"),
        &json!({}),
    )
    .await;
    assert_eq!(body["data"]["isArchived"], false);
    sb.shutdown().await;
}
