#!/usr/bin/env python3
"""The prior year of the sample, 2023, for the year-over-year diff.

The 2023 tables were not published with the 2024 document. What the 2024
document states about 2023 is used as published; everything else is
constructed so that every validation rule holds (see samples/README.md).

Usage:  budget-tables template -o blank-2023.xlsx --year 2023
        python3 samples/fill_2023.py blank-2023.xlsx samples/shenzhen-zwfw-2023.xlsx
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import fill_2024 as f  # noqa: E402  (same layout, other figures)

# Published (2024 document): total 69,673.69 = 44,972.11 + 24,701.58; each project
# category's change; 三公 2023 = 17 (公务接待 10, 公务用车运行维护 7, 因公出国 0).
# 政务综合管理 20,439.03 − 4,521.51; 综合管理 1,915.51 + 110.30; 预算准备金 304 + 96;
# 信息化新建 5,314.40 + 39,081.76; 信息化运维 1,555.39 + 257.37; 信息化服务类: none.
f.PROJECTS = [
    (f.DEPT, "64,552.25", "64,552.25", "0.00"),
    ("信息化新建项目(非政府投资项目)", "44,396.16", "44,396.16", "0.00"),
    ("信息化运维项目", "1,812.76", "1,812.76", "0.00"),
    ("预算准备金", "400.00", "400.00", "0.00"),
    ("政务综合管理", "15,917.52", "15,917.52", "0.00"),
    ("综合管理", "2,025.81", "2,025.81", "0.00"),
]

# Constructed: basic expenditure = 69,673.69 − 64,552.25 = 5,121.44; no carry-over;
# the 2024 items kept where they can be, 基本工资 absorbing the difference, no
# 因公出国(境)费用 (the 2024 text says it was budgeted from 2024 on).
f.FUNCTION = [
    ("201", "一般公共服务支出", "68,251.27", "3,699.02", "64,552.25", "50,008.00", "1,008.00"),
    ("20103", "政府办公厅(室)及相关机构事务", "68,251.27", "3,699.02", "64,552.25", "50,008.00", "1,008.00"),
    ("2010301", "行政运行", "3,699.02", "3,699.02", "0.00", "8.00", "8.00"),
    ("2010302", "一般行政管理事务", "64,552.25", "0.00", "64,552.25", "50,000.00", "1,000.00"),
] + f.FUNCTION[4:]

f.ECONOMIC = [
    ("301", "工资福利支出", "4,674.63", "4,674.63", "0.00"),
    ("30101", "基本工资", "2,799.07", "2,799.07", "0.00"),
] + f.ECONOMIC[2:10] + [
    ("302", "商品和服务支出", "64,827.16", "275.71", "64,551.45"),
] + [row for row in f.ECONOMIC[11:29] if row[0] != "30212" and row[0] != "30227"] + [
    ("30227", "委托业务费", "60,001.53", "0.00", "60,001.53"),
] + f.ECONOMIC[29:]
f.ECONOMIC.sort(key=lambda r: (r[0][:3], r[0]))

f.BASIC = [
    (f.DEPT, "5,121.44"),
    ("工资福利支出", "4,674.63"), ("基本工资", "2,799.07"),
] + f.BASIC[3:11] + [("商品和服务支出", "275.71")] + [r for r in f.BASIC[12:25] if r[0] != "因公出国(境)费用"] + f.BASIC[25:]

f.EXPENDITURE = [
    ("一、一般公共服务支出", "68,251.27"), ("政府办公厅(室)及相关机构事务", "68,251.27"),
    ("行政运行", "3,699.02"), ("一般行政管理事务", "64,552.25"),
] + f.EXPENDITURE[4:]

TOTAL = "69,673.69"
f.T1_LEFT = dict(f.T1_LEFT, **{
    "一、财政拨款": TOTAL, "1. 一般公共预算拨款": TOTAL, "本年收入合计": TOTAL,
    "上年结余、结转": "0.00", "1. 财政拨款结余、结转": "0.00", "收入总计": TOTAL,
})
f.T6_LEFT = dict(f.T6_LEFT, **{
    "财政拨款": TOTAL, "1. 一般公共预算拨款": TOTAL, "本年收入合计": TOTAL,
    "上年结余、结转": "0.00", "1. 一般公共预算拨款结余、结转": "0.00", "收入总计": TOTAL,
})
f.RIGHT_TOTALS = {"本年支出合计": TOTAL, "结转下年": "0.00", "支出总计": TOTAL}
f.T2_ROW = [TOTAL, TOTAL, "5,121.44", "64,552.25"] + ["0.00"] * 10 + ["0.00"]
f.T3_TOTAL = [TOTAL, "5,121.44", "64,552.25", "0.00", "0.00", "0.00", "50,008.00", "1,008.00", "0.00"]
f.T7_TOTAL = [TOTAL, "5,121.44", "64,552.25"]
f.T8_TOTAL = f.T7_TOTAL

# 2023 as published in 2024's 表9; 2022 constructed equal to it.
row2023 = f.three("17.00") + f.three("0.00") + f.three("10.00") + f.three("7.00") + f.three("0.00") + f.three("7.00")
f.SANGONG = [("2022年", row2023), ("2023年", row2023), ("增减变化金额", ["0.00"] * 18)]

contents = {name: content for name, content, _ in f.TASKS}
f.TASKS = [
    ("基本支出", contents["基本支出"], "5,121.44"),
    ("综合管理", contents["综合管理"], "2,025.81"),
    ("政务综合管理", contents["政务综合管理"], "15,917.52"),
    ("预算准备金", "主要用于解决我局2023年根据工作需求临时性、应急性支出", "400.00"),
    ("信息化运维项目", contents["信息化运维项目"], "1,812.76"),
    ("信息化新建项目(非政府投资项目)", contents["信息化新建项目(非政府投资项目)"], "44,396.16"),
]
f.TASK_SUM = (TOTAL, TOTAL, "0.00")
f.GOAL = "（样例构造）2023年深圳市政务服务和数据管理局(本级)年度总体目标：保障机关正常运转，推进“数字政府”和“智慧城市”建设，持续深化政务服务“一网通办”、政府治理“一网统管”和政府运行“一网协同”。"

if __name__ == "__main__":
    f.main(sys.argv[1], sys.argv[2])
