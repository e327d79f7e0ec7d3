"""Extracts the written part of a published Shanghai document (text from
`pdftotext -layout`) into the workbook's narrative sheets.

    python3 samples/extract_narrative.py DOCUMENT.txt 部门|单位 OUT.json

OUT.json maps each narrative sheet's name to its text, one paragraph per line.
A section starts at its heading (…主要职能, …机构设置, 名词解释, …编制说明,
其他相关情况说明, 项目经费情况说明)
and ends at the next heading or at the first table title. Lines that the PDF
wrapped are joined: a line that starts at the margin continues the previous one
unless that one ended a sentence (。：；) or this one starts a numbered item.
"""
import json
import re
import sys

SHEETS = {
    "部门": {"主要职能": "部门主要职能", "机构设置": "部门机构设置", "名词解释": "名词解释",
             "编制说明": "部门编制说明", "其他相关情况说明": "其他相关情况说明",
             "项目经费情况说明": "项目经费情况说明"},
    "单位": {"主要职能": "单位职能", "机构设置": "单位机构设置", "名词解释": "名词解释",
             "编制说明": "单位编制说明", "其他相关情况说明": "其他相关情况说明"},
}
TABLE_TITLE = re.compile(r"^\s*\d{4}年.*表\s*$|^\s*部门“三公”经费|^\s*单位“三公”经费|^\s*编制部门|^\s*编制单位")


def section_of(line, scope):
    s = line.strip()
    for key, sheet in SHEETS[scope].items():
        if key in ("名词解释", "其他相关情况说明", "项目经费情况说明"):
            if s == key:
                return sheet
        elif s.endswith(key) and len(s) < 60 and "……" not in s:
            return sheet
    return None


def extract(path, scope):
    lines = open(path, encoding="utf-8").read().split("\n")
    out, current, paras = {}, None, []

    def close():
        if current and paras:
            out[current] = "\n".join(p.strip() for p in paras if p.strip())

    for raw in lines:
        line = raw.rstrip()
        sec = section_of(line, scope)
        if sec:
            close()
            current, paras = sec, []
            continue
        if current is None:
            continue
        if TABLE_TITLE.match(line) and current != "名词解释":
            close()
            current, paras = None, []
            continue
        if not line.strip():
            continue
        starts_item = re.match(r"^\s*(\d{1,2}[.．、](?!\d)|[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、)", line)
        at_margin = not line.startswith(" ")
        if paras and at_margin and not starts_item and not paras[-1].rstrip().endswith(("。", "：", "；")):
            paras[-1] = paras[-1].rstrip() + line.strip()
        else:
            paras.append(line.strip())
    close()
    return out


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    texts = extract(sys.argv[1], sys.argv[2])
    with open(sys.argv[3], "w", encoding="utf-8") as f:
        json.dump(texts, f, ensure_ascii=False, indent=1)
        f.write("\n")
