/// The OpenAPI 3.1 description of the JSON API, served at `/openapi.json`. `OpenAPIDocumentTests` holds it to
/// the router's routes (both ways) and the end-to-end tests call every operation it lists.
enum OpenAPIDocument {
    /// The web view's routes (HTML, not part of the API document).
    static let webPaths: Set<String> = ["/", "/signin", "/signout", "/search", "/ci/{id}", "/impact", "/query", "/static/cmdb.css"]

    static let json = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "cmdb",
        "version": "1",
        "description": "The CMDB on the network: CIQL, CIs, history, impact, planned changes, import, verify, schema apply and audit runs. Authenticate with 'Authorization: Bearer TOKEN' (cmdb token create NAME --role reader|editor|admin). Errors are {\"error\":{\"code\",\"message\",\"line\",\"column\"}}, also for a path no route has (404 NotFound) and a route's wrong method (405 Request.MethodNotAllowed, with Allow)."
      },
      "components": {
        "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
        "schemas": {
          "Error": {
            "type": "object", "required": ["error"],
            "properties": { "error": { "type": "object", "required": ["code", "message"],
              "properties": { "code": { "type": "string" }, "message": { "type": "string" },
                "line": { "type": ["integer", "null"] }, "column": { "type": ["integer", "null"] } } } }
          },
          "Result": {
            "type": "object", "required": ["columns", "rows"],
            "properties": { "columns": { "type": "array", "items": { "type": "string" } },
              "rows": { "type": "array", "items": { "type": "array" } } }
          },
          "Node": {
            "type": "object", "required": ["id", "class"],
            "properties": { "id": { "type": "string" }, "class": { "type": ["string", "null"] }, "name": {}, "status": {},
              "attrs": { "type": "object" } }
          },
          "PlannedChange": {
            "type": "object", "required": ["ref", "cis", "start", "end"],
            "properties": { "ref": { "type": "string" }, "cis": { "type": "array", "items": { "type": "string" } },
              "start": { "type": "string" }, "end": { "type": "string" }, "description": { "type": ["string", "null"] },
              "actor": { "type": "string" } }
          },
          "AuditRun": {
            "type": "object", "required": ["run", "at", "scores", "violations"],
            "properties": { "run": { "type": "integer" }, "at": { "type": "string" }, "scores": { "type": "object" },
              "violations": { "type": "integer" }, "new": { "type": "integer" }, "fixed": { "type": "integer" } }
          }
        },
        "responses": {
          "Error": { "description": "An error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
          "NotFound": { "description": "No route has this path (NotFound); the same for every path not listed here", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
          "MethodNotAllowed": { "description": "The path is a route, but not for this method (Request.MethodNotAllowed); Allow lists the methods it answers", "headers": { "Allow": { "schema": { "type": "string" } } }, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
        }
      },
      "security": [ { "bearer": [] } ],
      "paths": {
        "/healthz": {
          "get": { "operationId": "health", "security": [], "summary": "Liveness",
            "responses": { "200": { "description": "Up", "content": { "application/json": { "schema": { "type": "object" } } } } } }
        },
        "/openapi.json": {
          "get": { "operationId": "openapi", "security": [], "summary": "This document",
            "responses": { "200": { "description": "OpenAPI 3.1", "content": { "application/json": { "schema": { "type": "object" } } } } } }
        },
        "/metrics": {
          "get": { "operationId": "metrics", "summary": "Prometheus metrics (admin)",
            "responses": { "200": { "description": "Prometheus text format", "content": { "text/plain": { "schema": { "type": "string" } } } },
              "401": { "$ref": "#/components/responses/Error" }, "403": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/query": {
          "post": { "operationId": "query", "summary": "Run one CIQL statement (reader for reads, editor for writes)",
            "requestBody": { "required": true, "content": { "application/json": { "schema": {
              "type": "object", "required": ["statement"],
              "properties": { "statement": { "type": "string" }, "parameters": { "type": "object" },
                "change": { "type": "string", "description": "The change reference recorded with a write; empty or blank is none. The statement's USING CHANGE may give it instead; a different one in both is refused (400 Request.ChangeConflict)" } } } } } },
            "responses": { "200": { "description": "The result", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Result" } } } },
              "400": { "$ref": "#/components/responses/Error" }, "401": { "$ref": "#/components/responses/Error" },
              "403": { "$ref": "#/components/responses/Error" }, "413": { "$ref": "#/components/responses/Error" },
              "422": { "$ref": "#/components/responses/Error" }, "503": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/cis/{id}": {
          "get": { "operationId": "getCI", "summary": "One CI",
            "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ],
            "responses": { "200": { "description": "The CI", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Node" } } } },
              "401": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/cis/{id}/history": {
          "get": { "operationId": "getCIHistory", "summary": "Every version of a CI (tx, at, actor, change, origin, operation, changes)",
            "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ],
            "responses": { "200": { "description": "The versions", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Result" } } } },
              "401": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/impact": {
          "post": { "operationId": "impact", "summary": "Impact of taking CIs down (the JSON of cmdb impact --format json)",
            "requestBody": { "required": true, "content": { "application/json": { "schema": {
              "type": "object", "required": ["targets"],
              "properties": { "targets": { "type": "array", "items": { "type": "string" } }, "depth": { "type": "integer", "minimum": 0 },
                "window": { "type": "string", "description": "START/END, ISO-8601; when absent, the planned window of the change being assessed" },
                "change": { "type": "string", "description": "The change being assessed: a planned change of this reference is no collision, and its planned window is checked when no window is given" } } } } } },
            "responses": { "200": { "description": "The impact report", "content": { "application/json": { "schema": { "type": "object" } } } },
              "400": { "$ref": "#/components/responses/Error" }, "401": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/changes": {
          "get": { "operationId": "listChanges", "summary": "The planned changes",
            "responses": { "200": { "description": "Planned changes", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/PlannedChange" } } } } },
              "401": { "$ref": "#/components/responses/Error" } } },
          "post": { "operationId": "planChange", "summary": "Plan (or re-plan) a change (editor)",
            "requestBody": { "required": true, "content": { "application/json": { "schema": {
              "type": "object", "required": ["ref", "cis", "window"],
              "properties": { "ref": { "type": "string" }, "cis": { "type": "array", "items": { "type": "string" } },
                "window": { "type": "string" }, "description": { "type": "string" } } } } } },
            "responses": { "201": { "description": "Planned", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/PlannedChange" } } } },
              "400": { "$ref": "#/components/responses/Error" }, "401": { "$ref": "#/components/responses/Error" }, "403": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/changes/{ref}": {
          "delete": { "operationId": "cancelChange", "summary": "Cancel a planned change (editor)",
            "parameters": [ { "name": "ref", "in": "path", "required": true, "schema": { "type": "string" } } ],
            "responses": { "204": { "description": "Cancelled" }, "401": { "$ref": "#/components/responses/Error" },
              "403": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/import": {
          "post": { "operationId": "import", "summary": "Import JSON Lines, all or nothing (editor)",
            "parameters": [ { "name": "change", "in": "query", "required": false, "schema": { "type": "string" } } ],
            "requestBody": { "required": true, "content": { "application/x-ndjson": { "schema": { "type": "string" } } } },
            "responses": { "200": { "description": "What the import did", "content": { "application/json": { "schema": { "type": "object" } } } },
              "400": { "$ref": "#/components/responses/Error" }, "401": { "$ref": "#/components/responses/Error" },
              "403": { "$ref": "#/components/responses/Error" }, "413": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/verify": {
          "post": { "operationId": "verify", "summary": "Reconcile a discovery snapshot with the CMDB and stamp last_verified_at; with apply=true also register unregistered items, correct drift and register discovered relations, in one transaction (editor; the report of cmdb verify --format json)",
            "parameters": [ { "name": "change", "in": "query", "required": false, "schema": { "type": "string" } },
              { "name": "apply", "in": "query", "required": false, "schema": { "type": "boolean" } } ],
            "requestBody": { "required": true, "content": { "application/x-ndjson": { "schema": { "type": "string", "description": "The snapshot: a source header line, then ci and rel lines" } } } },
            "responses": { "200": { "description": "The verify report", "content": { "application/json": { "schema": { "type": "object" } } } },
              "400": { "$ref": "#/components/responses/Error" }, "401": { "$ref": "#/components/responses/Error" },
              "403": { "$ref": "#/components/responses/Error" }, "413": { "$ref": "#/components/responses/Error" },
              "503": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/schema": {
          "post": { "operationId": "applySchema", "summary": "Replace the schema with the YAML in the body, after checking every CI and relation against it (admin; cmdb schema apply)",
            "parameters": [ { "name": "change", "in": "query", "required": false, "schema": { "type": "string" } } ],
            "requestBody": { "required": true, "content": { "application/yaml": { "schema": { "type": "string" } } } },
            "responses": { "200": { "description": "The classes and relation types now in force", "content": { "application/json": { "schema": {
                "type": "object", "properties": { "classes": { "type": "array", "items": { "type": "string" } },
                  "relation_types": { "type": "array", "items": { "type": "string" } } } } } } },
              "400": { "$ref": "#/components/responses/Error" }, "401": { "$ref": "#/components/responses/Error" },
              "403": { "$ref": "#/components/responses/Error" }, "413": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/audit/runs": {
          "get": { "operationId": "listAuditRuns", "summary": "Stored audit runs, oldest first",
            "responses": { "200": { "description": "Runs", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/AuditRun" } } } } },
              "401": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/audit/runs/{run}": {
          "get": { "operationId": "getAuditRun", "summary": "One audit run",
            "parameters": [ { "name": "run", "in": "path", "required": true, "schema": { "type": "integer" } } ],
            "responses": { "200": { "description": "The run", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AuditRun" } } } },
              "401": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" } } }
        }
      }
    }
    """#
}
