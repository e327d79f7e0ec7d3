"""Drives the page in headless Chromium (Debian's chromium + chromedriver,
through Selenium): uploads a workbook, reads the findings count and the
published tables, downloads the official workbook, saves a screenshot.

Then compares two years (PRIOR, then WORKBOOK) on the 年度对比 tab and runs
both through 批量处理, with a screenshot of each tab beside the first.

Last, an encrypted workbook: the page shows the command line's message.

usage: browser_page.py URL WORKBOOK DOWNLOAD_DIR SCREENSHOT.png PRIOR ENCRYPTED
Prints one JSON line: what the page showed and the downloaded file's path.
"""
import json
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

url, workbook, downloads, screenshot, prior, encrypted = sys.argv[1:7]

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", "--window-size=1600,1000", "--lang=zh-CN"]:
    options.add_argument(flag)
options.add_argument("--user-data-dir=" + os.path.join(downloads, ".profile"))
options.add_experimental_option("prefs", {"download.default_directory": downloads,
                                          "download.prompt_for_download": False})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    driver.get(url)
    wait = WebDriverWait(driver, 60)
    chooser = driver.find_element(By.ID, "file-check")
    chooser.send_keys(os.path.abspath(workbook))
    count = wait.until(ec.visibility_of_element_located((By.ID, "findings-count"))).text
    summary = driver.find_element(By.ID, "check-summary").text
    tabs = [b.text for b in driver.find_elements(By.CSS_SELECTOR, "#preview-tabs button")]
    title = driver.find_element(By.CSS_SELECTOR, "#preview table.sheet td.title").text
    flagged = driver.find_elements(By.CSS_SELECTOR, "#preview td[class*='flag-']")
    # A click on a flagged cell shows its finding.
    shown = ""
    if flagged:
        flagged[0].click()
        shown = wait.until(ec.visibility_of_element_located((By.ID, "cell-findings"))).text
    findings = len(driver.find_elements(By.CSS_SELECTOR, "#findings .finding"))
    driver.save_screenshot(screenshot)
    driver.find_element(By.ID, "dl-official").click()
    deadline = time.time() + 60
    got = None
    while time.time() < deadline and got is None:
        done = [f for f in os.listdir(downloads) if f.endswith(".xlsx")]
        if done:
            got = os.path.join(downloads, done[0])
        time.sleep(0.2)
    error = driver.find_element(By.ID, "error")
    result = {"count": count, "summary": summary, "tabs": tabs, "title": title,
              "flagged": len(flagged), "cell_findings": shown, "findings": findings,
              "download": got, "error": error.text if error.is_displayed() else ""}

    result["actions"] = [b.text for b in driver.find_elements(By.CSS_SELECTOR, "#check-result .actions button")]
    # The template tab starts on the layout of the workbook just checked.
    driver.find_element(By.CSS_SELECTOR, "nav .tab[data-tab=template]").click()
    result["template_layout"] = driver.find_element(By.ID, "tpl-layout").get_attribute("value")

    driver.find_element(By.CSS_SELECTOR, "nav .tab[data-tab=diff]").click()
    driver.find_element(By.ID, "file-prior").send_keys(os.path.abspath(prior))
    driver.find_element(By.ID, "file-current").send_keys(os.path.abspath(workbook))
    driver.find_element(By.ID, "run-diff").click()
    wait.until(ec.visibility_of_element_located((By.ID, "diff-result")))
    result["diff_summary"] = driver.find_element(By.ID, "diff-summary").text
    result["diff_rows"] = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                           for tr in driver.find_elements(By.CSS_SELECTOR, "#diff-headlines tr")][1:]
    result["diff_sentences"] = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#diff-sentences li")]
    driver.save_screenshot(screenshot.replace(".png", "-diff.png"))

    driver.find_element(By.CSS_SELECTOR, "nav .tab[data-tab=batch]").click()
    driver.find_element(By.ID, "file-batch").send_keys(os.path.abspath(prior) + "\n" + os.path.abspath(workbook))
    wait.until(ec.visibility_of_element_located((By.ID, "batch-result")))
    result["batch_summary"] = driver.find_element(By.ID, "batch-summary").text
    result["batch_rows"] = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                            for tr in driver.find_elements(By.CSS_SELECTOR, "#batch-table tr")][1:]
    driver.save_screenshot(screenshot.replace(".png", "-batch.png"))
    driver.find_element(By.CSS_SELECTOR, "nav .tab[data-tab=check]").click()
    driver.find_element(By.ID, "file-check").send_keys(os.path.abspath(encrypted))
    result["encrypted_error"] = wait.until(ec.visibility_of_element_located((By.ID, "error"))).text
    print(json.dumps(result, ensure_ascii=False))
finally:
    driver.quit()
