#!/usr/bin/env python3
"""The web view of `cmdb serve` in a real browser: headless Chromium (Debian's chromium + chromium-driver)
driven by Selenium. Signs in with a token, searches, opens a CI, runs an impact and sees the SVG graph, runs a
query and sees the table; mostly with the keyboard. Prints 'all steps passed' at the end.

usage: web_view_test.py BASE_URL TOKEN HYPERVISOR_ID SCREENSHOT_DIR
"""
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def main():
    base, token, hypervisor, shots = sys.argv[1:5]
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1600,1200"]:
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    wait = WebDriverWait(driver, 30)
    try:
        # Signed out: every page leads to the sign-in form.
        driver.get(base + "/search")
        field = wait.until(EC.presence_of_element_located((By.ID, "token")))
        assert "Sign in" in driver.title, driver.title

        # A wrong token is refused with a message.
        field.send_keys("cmdb_wrong" + Keys.ENTER)
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "[role=alert]")))
        assert "not valid" in driver.page_source

        # Sign in with the keyboard; the cookie is HttpOnly and SameSite=Strict.
        driver.find_element(By.ID, "token").send_keys(token + Keys.ENTER)
        search = wait.until(EC.presence_of_element_located((By.ID, "q")))
        cookie = driver.get_cookie("cmdb_session")
        assert cookie and cookie.get("httpOnly") and cookie.get("sameSite") == "Strict", cookie
        driver.save_screenshot(shots + "/1-search.png")

        # Search by name, then open the CI from the results.
        search.send_keys("magister" + Keys.ENTER)
        link = wait.until(EC.element_to_be_clickable((By.LINK_TEXT, "app-magister")))
        driver.save_screenshot(shots + "/2-results.png")
        link.send_keys(Keys.ENTER)
        wait.until(EC.title_contains("app-magister"))
        text = driver.find_element(By.TAG_NAME, "main").text
        for heading in ["Attributes", "Depends on", "Depended on by", "History"]:
            assert heading in text, heading
        assert "CHG-SAMPLE" in text, "the history shows the change reference"
        rows = driver.find_elements(By.CSS_SELECTOR, "main table tbody tr")
        assert len(rows) > 5, len(rows)
        driver.save_screenshot(shots + "/3-ci.png")

        # Impact of a hypervisor and an application (ids separated by a space, which the browser sends as '+'),
        # with a window and a change reference holding spaces: levels, services, owners, risk and the SVG graph.
        driver.get(base + "/impact")
        targets = wait.until(EC.presence_of_element_located((By.ID, "targets")))
        targets.send_keys(hypervisor + " app-magister")
        targets.send_keys(Keys.TAB)
        driver.switch_to.active_element.send_keys("2026-12-01T02:00Z/2026-12-01T04:00Z")
        driver.find_element(By.ID, "change").send_keys("CHG 42 + more")
        driver.find_element(By.ID, "change").send_keys(Keys.ENTER)
        graph = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#impact-graph svg")))
        nodes = graph.find_elements(By.CSS_SELECTOR, "g.node")
        assert len(nodes) >= 2, "the graph draws the target and what it impacts"
        main = driver.find_element(By.TAG_NAME, "main").text
        for heading in ["Risk", "Business services", "Owners to notify", "Levels", "Change window"]:
            assert heading in main, heading
        assert "down" in main or "degraded" in main
        assert "2 targets;" in main, main
        change = driver.find_element(By.ID, "change").get_attribute("value")
        assert change == "CHG 42 + more", change
        driver.save_screenshot(shots + "/4-impact.png")

        # The query console: a result table.
        driver.get(base + "/query")
        area = wait.until(EC.presence_of_element_located((By.ID, "statement")))
        area.clear()
        area.send_keys("MATCH (h:Hypervisor) RETURN h.id AS id, h.name AS name ORDER BY id")
        driver.find_element(By.CSS_SELECTOR, "main form button").send_keys(Keys.ENTER)
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "main table caption")))
        headers = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "main table thead th")]
        assert headers == ["id", "name"], headers
        cells = [td.text for td in driver.find_elements(By.CSS_SELECTOR, "main table tbody td")]
        assert hypervisor in cells, cells
        driver.save_screenshot(shots + "/5-query.png")

        # A syntax error shows its code and place.
        area = driver.find_element(By.ID, "statement")
        area.clear()
        area.send_keys("MATCH (n) WHERE RETURN n")
        driver.find_element(By.CSS_SELECTOR, "main form button").click()
        alert = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "[role=alert]")))
        assert "SyntaxError" in alert.text, alert.text

        # Sign out: back to the sign-in form.
        driver.find_element(By.CSS_SELECTOR, "form.signout button").click()
        wait.until(EC.presence_of_element_located((By.ID, "token")))
        driver.get(base + "/query")
        wait.until(EC.presence_of_element_located((By.ID, "token")))
        print("all steps passed")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
