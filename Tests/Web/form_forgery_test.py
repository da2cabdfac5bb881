#!/usr/bin/env python3
"""Forged form posts against `cmdb serve` in a real browser: headless Chromium signs in to the web view, writes
through the query console's own form, then opens pages served from another port of the same host (the same site,
so the SameSite=Strict cookie goes along) that auto-submit a form to the query console and a text/plain form to
/v1/query. Both must be refused; the caller checks the database. Prints 'all steps passed' at the end.

usage: form_forgery_test.py BASE_URL EDITOR_TOKEN
"""
import http.server
import sys
import threading
from html import escape

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def attacker_pages(base):
    form = f"""<!doctype html><form method="post" action="{base}/query">
<input name="statement" value="CREATE (:Application {{id: 'forged-form'}})"><input name="change" value="CSRF"></form>
<script>document.forms[0].submit()</script>"""
    # A text/plain form body is `name=value`: the name and value together make the JSON object.
    name = escape('{"statement":"CREATE (:Application {id: \'forged-api\'})","change":"CSRF","x":"')
    api = f"""<!doctype html><form method="post" action="{base}/v1/query" enctype="text/plain">
<input name="{name}" value='"}}'></form><script>document.forms[0].submit()</script>"""
    return {"/form.html": form, "/api.html": api}


def serve_attacker(pages):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    base, token = sys.argv[1:3]
    attacker = serve_attacker(attacker_pages(base))
    elsewhere = f"http://127.0.0.1:{attacker.server_address[1]}"
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]:
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    wait = WebDriverWait(driver, 30)
    try:
        driver.get(base + "/")
        wait.until(EC.presence_of_element_located((By.ID, "token"))).send_keys(token)
        driver.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
        wait.until(EC.presence_of_element_located((By.ID, "q")))

        # The console's own form writes (it carries the session's form token).
        driver.get(base + "/query")
        area = wait.until(EC.presence_of_element_located((By.ID, "statement")))
        area.clear()
        area.send_keys("CREATE (:Application {id: 'own-form'})")
        driver.find_element(By.ID, "change").send_keys("CHG-OWN")
        driver.find_element(By.CSS_SELECTOR, "main form button").click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "[role=status]")))
        assert "Done." in driver.find_element(By.TAG_NAME, "main").text

        # A page on another port auto-submits the console's form: refused, 403 page.
        driver.get(elsewhere + "/form.html")
        wait.until(EC.url_to_be(base + "/query"))
        alert = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "[role=alert]")))
        assert "Request.Forged" in alert.text, alert.text
        print("forged form:", alert.text)

        # A text/plain post to the API with the cookie: not signed in there.
        driver.get(elsewhere + "/api.html")
        wait.until(EC.url_to_be(base + "/v1/query"))
        text = driver.find_element(By.TAG_NAME, "body").text
        assert "Auth.Unauthorized" in text, text
        print("forged API post:", text)

        # Still signed in: the forged sign-out never ran either, and the session works.
        driver.get(base + "/query")
        wait.until(EC.presence_of_element_located((By.ID, "statement")))
        print("all steps passed")
    finally:
        driver.quit()
        attacker.shutdown()


if __name__ == "__main__":
    main()
