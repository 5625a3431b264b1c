// Every string the console shows, in one table: Simplified Chinese (the default) and English.
// HTML elements name their string with data-i18n (text), data-i18n-placeholder or data-i18n-title; code calls
// t("key", {vars}) or label("group", value) for a value's name (a state, a category, ...).

export const LANGUAGES = [["zh-CN", "中文"], ["en", "English"]];

const STRINGS = {
  "zh-CN": {
    "app.title": "清泉热线 坐席工作台", "app.sign_out": "退出登录",
    "login.username": "用户名", "login.password": "密码", "login.submit": "登录", "login.wrong": "用户名或密码错误",
    "login.missing": "请输入用户名和密码", "login.expired": "登录已失效，请重新登录（草稿已保留）",
    "tab.console": "坐席", "tab.wallboard": "监控大屏", "tab.reports": "运营报表",
    "agent.seat": "座席", "agent.choose_seat": "— 选择座席 —", "agent.seat_unregistered": "（话机未注册）",
    "agent.seat_taken": "（已占用）", "agent.seat_bound": "已签入座席 {seat}", "agent.ready": "示闲",
    "agent.not_ready": "示忙", "agent.reason": "示忙原因", "agent.log_out": "签出",
    "wrapup.left": "话后处理剩余", "wrapup.done": "处理完毕", "wrapup.extend": "延长 30 秒",
    "live.reconnecting": "连接中断，正在重连…（已填写的内容不会丢失）",
    "pop.title": "来电信息", "pop.none": "暂无来电", "pop.idle": "无来电", "pop.ringing": "振铃中",
    "pop.ringing_no_detail": "振铃中（详情未收到）", "pop.talking": "通话中", "pop.ended": "已结束",
    "pop.caller": "来电号码", "pop.callback": "回拨", "pop.account_number": "户号", "pop.account_name": "户名",
    "pop.address": "地址", "pop.zone": "供水片区", "pop.amount_due": "应缴金额", "pop.due_date": "缴费期限",
    "pop.payment_status": "缴费状态", "pop.ivr_path": "IVR 路径", "pop.queue": "队列",
    "pop.billing_down": "计费系统暂不可用，户号信息未取到", "pop.unknown_account": "未查到该户号",
    "pop.outage": "停水公告（{zone}，{kind}）：{from} 至 {until}",
    "pop.history_orders": "该户工单（未结在前）", "pop.history_contacts": "历史来电",
    "transfer.title": "转接", "transfer.go": "转接", "transfer.to_agent": "坐席 {name}", "transfer.to_queue": "队列 {queue}",
    "transfer.done": "已发起转接",
    "wo.new": "新建工单", "wo.notice": "草稿已保留；新来电信息未自动带入。", "wo.fill": "带入当前来电",
    "wo.call": "关联来电", "wo.no_call": "（无）", "wo.unlink": "解除", "wo.category": "类别", "wo.choose": "— 请选择 —",
    "wo.priority": "优先级", "wo.account": "户号", "wo.account_hint": "4–20 位数字，可不填", "wo.address": "地址",
    "wo.description": "描述", "wo.submit": "提交工单", "wo.clear": "清空", "wo.clear_confirm": "清空当前草稿？",
    "wo.err_category": "请选择工单类别", "wo.err_description": "请填写问题描述",
    "wo.err_description_long": "描述不能超过 4000 字", "wo.err_account": "户号应为 4–20 位数字",
    "wo.err_address": "地址不能超过 255 字", "wo.err_reason": "请填写原因", "wo.fix_errors": "请先改正标红的内容",
    "wo.created": "已创建工单 #{id}", "wo.failed": "提交失败：{why}（草稿已保留）",
    "wo.pending": "待提交", "wo.refused": "未能提交", "wo.queued": "服务器暂时无法保存：工单已保存在本机，待提交，将自动重试",
    "wo.pending_sent": "待提交的工单已写入，工单号 #{id}", "wo.pending_retry": "立即重试", "wo.pending_edit": "回填表单修改",
    "wo.pending_discard": "放弃", "wo.pending_discard_confirm": "放弃这张未提交的工单？",
    "wo.mine": "我的工单", "wo.none": "暂无工单", "wo.detail": "工单详情", "wo.history": "处理记录",
    "wo.status": "状态", "wo.owner": "责任人", "wo.unowned": "无人负责", "wo.due": "时限", "wo.overdue": "已超时",
    "wo.due_in": "剩余 {time}", "wo.overdue_by": "超时 {time}", "wo.change_status": "变更状态", "wo.note": "备注",
    "wo.apply_status": "更新状态", "wo.handover_to": "移交给", "wo.reason": "原因", "wo.handover": "移交",
    "wo.close_note": "办结说明", "wo.no_callback_reason": "未回访原因", "wo.close_order": "办结工单",
    "wo.actions_unavailable": "工单状态变更、移交与办结功能暂不可用",
    "cb.title": "回访与回拨", "cb.none": "暂无待办回访", "cb.call": "拨打", "cb.call_unavailable": "拨打（暂不可用）",
    "cb.dialing": "正在呼叫：先响您的话机，再拨 {number}", "cb.due": "应于 {at}", "cb.order": "工单 #{id}",
    "cb.record": "登记结果", "cb.outcome_for": "回访结果：", "cb.outcome": "结果", "cb.satisfaction": "满意度",
    "cb.no_score": "— 未评价 —", "cb.err_satisfaction": "已接通的回访请选择满意度",
    "rec.title": "录音回放", "rec.pick": "在通话记录中选择一通电话", "rec.for_call": "通话 {linkedid} 的录音",
    "rec.none": "该通话没有录音", "rec.play": "播放", "rec.listen": "录音", "rec.not_found": "录音不存在或无权收听",
    "calls.title": "通话记录", "calls.arrived": "来电时间", "calls.caller": "主叫", "calls.account": "户号",
    "calls.queue": "队列", "calls.ivr": "IVR", "calls.wait": "等待(秒)", "calls.talk": "通话(秒)", "calls.outcome": "结果",
    "calls.none": "暂无通话记录", "calls.connected": "已接通", "calls.in_progress": "进行中",
    "wb.queues": "队列实况", "wb.updated": "更新于 {at}", "wb.queue": "队列", "wb.waiting": "排队", "wb.callbacks": "回拨",
    "wb.longest": "最长等待", "wb.staffed": "在岗", "wb.ready": "空闲", "wb.estimated": "预计等待",
    "wb.emergency": "应急模式", "wb.emergency_now": "当前：", "wb.emergency_on": "应急模式已开启",
    "wb.emergency_off": "正常模式", "wb.emergency_turn_on": "开启应急模式", "wb.emergency_turn_off": "关闭应急模式",
    "wb.emergency_ask_on": "确定开启应急模式？应急座席将开始接听，应急队列开放。",
    "wb.emergency_ask_off": "确定关闭应急模式，恢复正常？", "wb.emergency_note": "说明（记入审计日志）",
    "wb.err_emergency_note": "开启应急模式须填写说明",
    "wb.agents": "坐席状态", "wb.agent": "坐席", "wb.state": "状态", "wb.time_in_state": "持续", "wb.answered": "接听数",
    "wb.force": "强制置状态", "wb.supervise": "监听 / 耳语 / 强插", "wb.forced": "已将 {name} 置为 {state}",
    "wb.spying": "{mode}：{name}（您的话机将振铃）", "wb.spy_unavailable": "监听、耳语、强插功能暂不可用",
    "wb.orders": "超时与无人负责的工单", "wb.reassign": "改派",
    "report.title": "运营报表", "report.run": "查询", "report.range": "统计区间 {from} 至 {to}（不含结束时刻）",
    "report.target": "服务水平目标(秒)", "report.goal": "达标线(%)", "report.agents": "坐席报表",
    "report.definitions": "指标定义", "report.no_agents": "该区间没有坐席记录", "report.chart_failed": "图表加载失败",
    "report.export_metrics": "指标（按日）", "report.export_agents": "坐席报表", "report.export_calls": "通话明细",
    "report.exported": "已导出 {name}",
    "chart.heatmap_title": "每小时来电热力图", "chart.rates_title": "接通率与服务水平", "chart.abandon_title": "放弃曲线（按等待时长）",
    "chart.timeline_title": "坐席状态时间线", "chart.hour": "时段（点）", "chart.calls": "来电",
    "chart.answer_rate": "人工接通率", "chart.service_level": "服务水平（{seconds} 秒内）", "chart.goal": "达标线",
    "chart.wait": "等待时长", "chart.abandons": "放弃数", "chart.abandoned": "排队放弃", "chart.short_abandoned": "短时放弃",
    "chart.still_waiting": "仍在等待", "chart.no_abandons": "该区间没有排队来电",
    "chart.no_agents_that_day": "该日没有坐席状态记录", "chart.heatmap_too_long": "热力图最多显示 {days} 天，请缩短区间",
    "common.refresh": "刷新", "common.close": "关闭", "common.cancel": "取消", "common.confirm": "确定",
    "common.none": "无", "common.saving": "提交中…", "common.saved": "已保存", "common.unavailable": "暂不可用",
    "error.network": "网络错误，请稍后重试", "error.session_expired": "登录已失效，请重新登录",
    "error.http": "请求失败（HTTP {status}）", "error.invalid": "输入有误：{what}",
  },
  en: {
    "app.title": "Qingquan hotline · Agent console", "app.sign_out": "Sign out",
    "login.username": "Username", "login.password": "Password", "login.submit": "Sign in", "login.wrong": "Wrong username or password",
    "login.missing": "Enter your username and password", "login.expired": "Your session expired: sign in again (your drafts are kept)",
    "tab.console": "Console", "tab.wallboard": "Wallboard", "tab.reports": "Reports",
    "agent.seat": "Seat", "agent.choose_seat": "— choose a seat —", "agent.seat_unregistered": "(phone not registered)",
    "agent.seat_taken": "(taken)", "agent.seat_bound": "Signed in at seat {seat}", "agent.ready": "Ready",
    "agent.not_ready": "Not ready", "agent.reason": "Not-ready reason", "agent.log_out": "Log out of queues",
    "wrapup.left": "Wrap-up left", "wrapup.done": "Done", "wrapup.extend": "+30 s",
    "live.reconnecting": "Connection lost, reconnecting… (nothing you typed is lost)",
    "pop.title": "Caller", "pop.none": "No call", "pop.idle": "Idle", "pop.ringing": "Ringing",
    "pop.ringing_no_detail": "Ringing (no details yet)", "pop.talking": "On call", "pop.ended": "Ended",
    "pop.caller": "Caller number", "pop.callback": "callback", "pop.account_number": "Account", "pop.account_name": "Name",
    "pop.address": "Address", "pop.zone": "Supply zone", "pop.amount_due": "Amount due", "pop.due_date": "Due date",
    "pop.payment_status": "Payment", "pop.ivr_path": "IVR path", "pop.queue": "Queue",
    "pop.billing_down": "Billing system unavailable: no account details", "pop.unknown_account": "Unknown account",
    "pop.outage": "Outage ({zone}, {kind}): {from} to {until}",
    "pop.history_orders": "Work orders (open first)", "pop.history_contacts": "Past calls",
    "transfer.title": "Transfer", "transfer.go": "Transfer", "transfer.to_agent": "agent {name}", "transfer.to_queue": "queue {queue}",
    "transfer.done": "Transfer started",
    "wo.new": "New work order", "wo.notice": "Your draft is kept; the new call was not filled in.", "wo.fill": "Use current call",
    "wo.call": "Call", "wo.no_call": "(none)", "wo.unlink": "Unlink", "wo.category": "Category", "wo.choose": "— choose —",
    "wo.priority": "Priority", "wo.account": "Account", "wo.account_hint": "4–20 digits, optional", "wo.address": "Address",
    "wo.description": "Description", "wo.submit": "Open work order", "wo.clear": "Clear", "wo.clear_confirm": "Clear this draft?",
    "wo.err_category": "Choose a category", "wo.err_description": "Describe the problem",
    "wo.err_description_long": "At most 4000 characters", "wo.err_account": "An account number has 4 to 20 digits",
    "wo.err_address": "At most 255 characters", "wo.err_reason": "Give a reason", "wo.fix_errors": "Correct the fields in red first",
    "wo.created": "Work order #{id} opened", "wo.failed": "Not saved: {why} (your draft is kept)",
    "wo.pending": "pending", "wo.refused": "not saved", "wo.queued": "The server cannot store it now: the order is kept on this computer as pending and will be sent automatically",
    "wo.pending_sent": "The pending work order is saved as #{id}", "wo.pending_retry": "Retry now", "wo.pending_edit": "Edit in the form",
    "wo.pending_discard": "Discard", "wo.pending_discard_confirm": "Discard this unsaved work order?",
    "wo.mine": "My work orders", "wo.none": "No work orders", "wo.detail": "Work order", "wo.history": "History",
    "wo.status": "Status", "wo.owner": "Owner", "wo.unowned": "Unowned", "wo.due": "Due", "wo.overdue": "Overdue",
    "wo.due_in": "{time} left", "wo.overdue_by": "overdue {time}", "wo.change_status": "Change status", "wo.note": "Note",
    "wo.apply_status": "Update status", "wo.handover_to": "Hand over to", "wo.reason": "Reason", "wo.handover": "Hand over",
    "wo.close_note": "Closing note", "wo.no_callback_reason": "Why no callback", "wo.close_order": "Close work order",
    "wo.actions_unavailable": "Status changes, handover and closing are not available yet",
    "cb.title": "Callbacks", "cb.none": "No callbacks to make", "cb.call": "Call", "cb.call_unavailable": "Call (unavailable)",
    "cb.dialing": "Calling: your phone rings first, then {number}", "cb.due": "due {at}", "cb.order": "work order #{id}",
    "cb.record": "Record outcome", "cb.outcome_for": "Outcome of the call to", "cb.outcome": "Outcome", "cb.satisfaction": "Satisfaction",
    "cb.no_score": "— not rated —", "cb.err_satisfaction": "A reached customer's satisfaction is required",
    "rec.title": "Recordings", "rec.pick": "Pick a call in the call log", "rec.for_call": "Recordings of call {linkedid}",
    "rec.none": "This call has no recording", "rec.play": "Play", "rec.listen": "Recording", "rec.not_found": "No such recording, or not yours to hear",
    "calls.title": "Call log", "calls.arrived": "Arrived", "calls.caller": "Caller", "calls.account": "Account",
    "calls.queue": "Queue", "calls.ivr": "IVR", "calls.wait": "Wait (s)", "calls.talk": "Talk (s)", "calls.outcome": "Outcome",
    "calls.none": "No calls", "calls.connected": "Connected", "calls.in_progress": "In progress",
    "wb.queues": "Live queues", "wb.updated": "updated {at}", "wb.queue": "Queue", "wb.waiting": "Waiting", "wb.callbacks": "Callbacks",
    "wb.longest": "Longest wait", "wb.staffed": "Staffed", "wb.ready": "Ready", "wb.estimated": "Est. wait",
    "wb.emergency": "Emergency mode", "wb.emergency_now": "Now:", "wb.emergency_on": "Emergency mode ON",
    "wb.emergency_off": "Normal", "wb.emergency_turn_on": "Switch emergency mode on", "wb.emergency_turn_off": "Switch emergency mode off",
    "wb.emergency_ask_on": "Switch emergency mode on? The emergency seats start taking calls and emergency queues open.",
    "wb.emergency_ask_off": "Switch emergency mode off and return to normal?", "wb.emergency_note": "Note (kept in the audit log)",
    "wb.err_emergency_note": "Say why emergency mode is switched on",
    "wb.agents": "Agents", "wb.agent": "Agent", "wb.state": "State", "wb.time_in_state": "For", "wb.answered": "Answered",
    "wb.force": "Force state", "wb.supervise": "Listen / whisper / barge", "wb.forced": "{name} set to {state}",
    "wb.spying": "{mode}: {name} (your phone will ring)", "wb.spy_unavailable": "Listen, whisper and barge are not available yet",
    "wb.orders": "Overdue and unowned work orders", "wb.reassign": "Reassign",
    "report.title": "Summary report", "report.run": "Run", "report.range": "From {from} to {to} (end excluded)",
    "report.target": "Service-level target (s)", "report.goal": "Goal (%)", "report.agents": "Agent report",
    "report.definitions": "Definitions", "report.no_agents": "No agent activity in this period", "report.chart_failed": "The chart could not be loaded",
    "report.export_metrics": "Figures (per day)", "report.export_agents": "Agent report", "report.export_calls": "Call details",
    "report.exported": "Saved {name}",
    "chart.heatmap_title": "Calls per hour", "chart.rates_title": "Answer rate and service level", "chart.abandon_title": "Abandon curve (by wait time)",
    "chart.timeline_title": "Agent state timeline", "chart.hour": "Hour of day", "chart.calls": "Calls",
    "chart.answer_rate": "Answer rate", "chart.service_level": "Service level (within {seconds} s)", "chart.goal": "Goal",
    "chart.wait": "Wait", "chart.abandons": "Abandons", "chart.abandoned": "Abandoned", "chart.short_abandoned": "Short abandons",
    "chart.still_waiting": "Still waiting", "chart.no_abandons": "No queued calls in this period",
    "chart.no_agents_that_day": "No agent states recorded that day", "chart.heatmap_too_long": "The heat-map shows at most {days} days: shorten the period",
    "common.refresh": "Refresh", "common.close": "Close", "common.cancel": "Cancel", "common.confirm": "Confirm",
    "common.none": "None", "common.saving": "Saving…", "common.saved": "Saved", "common.unavailable": "Unavailable",
    "error.network": "Network error, try again", "error.session_expired": "Your session expired, sign in again",
    "error.http": "Request failed (HTTP {status})", "error.invalid": "Invalid input: {what}",
  },
};

// Names of values, by group; a group's order in the Chinese table is the order of its choices.
const GROUPS = {
  "zh-CN": {
    state: { logged_out: "未签入", ready: "示闲", not_ready: "示忙", offered: "振铃中", on_call: "通话中", wrap_up: "话后处理",
      dialing: "外呼中", supervising: "监听中" },
    force: { ready: "置闲", not_ready: "置忙", logged_out: "签出" },
    reason: { break: "小休", meal: "用餐", training: "培训", meeting: "会议", after_call_work: "事务处理", missed: "未接", forced: "班长置忙",
      supervision: "监听结束" },
    category: { repair: "报修", leak: "报漏", consultation: "咨询", complaint: "投诉", query: "查询", suggestion: "建议" },
    priority: { low: "低", normal: "普通", high: "高", urgent: "紧急" },
    status: { new: "新建", in_progress: "处理中", dispatched: "已派工", awaiting_callback: "待回访", closed: "已办结" },
    action: { callback_scheduled: "排期回访", callback_completed: "完成回访", callback_failed: "回访未成功",
      callback_cancelled: "取消回访", created: "创建", status: "变更状态", status_changed: "变更状态", handover: "移交", handed_over: "移交",
      reassign: "改派", reassigned: "改派", closed: "办结", close: "办结", callback: "回访", note: "备注" },
    outcome: { answered: "已接通", abandoned: "放弃", self_service: "IVR自助", deflected: "公告分流", closed: "非服务时间",
      callback_requested: "预约回拨", short_abandoned: "短时放弃" },
    cb_outcome: { reached: "已接通", no_answer: "无人接听", busy: "占线", wrong_number: "号码错误", declined: "拒绝回访" },
    cb_kind: { survey: "回访", closing: "办结回访", promised: "约定回电", queue: "排队回拨", night: "夜间回拨" },
    cb_status: { pending: "待拨", scheduled: "已排期", due: "到期", open: "待办", placed: "已拨出", done: "已完成", reached: "已接通",
      failed: "未成功", cancelled: "已取消" },
    satisfaction: { 5: "5 非常满意", 4: "4 满意", 3: "3 一般", 2: "2 不满意", 1: "1 非常不满意" },
    payment: { paid: "已缴", unpaid: "未缴", overdue: "逾期" },
    outage: { planned: "计划停水", unplanned: "突发停水" },
    spy: { listen: "监听", whisper: "耳语", barge: "强插" },
    role: { agent: "话务员", supervisor: "班长", manager: "经理", admin: "管理员" },
    figure: { calls: "来电总数", offered: "进入人工", answered: "人工接通", abandoned: "排队放弃", short_abandoned: "短时放弃",
      answer_rate: "接通率", abandon_rate: "放弃率", answered_within_target: "目标内接通", service_level: "今日服务水平",
      asa_seconds: "平均应答(秒)", longest_wait_seconds: "最长等待(秒)", self_served: "IVR自助" },
    metric: { calls: "来电总数", offered: "进入人工", answered: "人工接通", answer_rate: "人工接通率", abandoned: "排队放弃",
      short_abandoned: "短时放弃", abandon_rate: "放弃率", answered_within_target: "目标内接通", service_level: "服务水平",
      asa_seconds: "平均应答(秒)", longest_wait_seconds: "最长等待(秒)", handled: "处理通话", talk_seconds: "平均通话(秒)",
      hold_seconds: "平均保持(秒)", acw_seconds: "平均话后处理(秒)", aht_seconds: "平均处理时长(秒)", occupancy: "坐席占用率",
      self_served: "IVR自助", self_service_rate: "自助率", deflected: "公告分流", callbacks_requested: "预约回拨",
      callbacks_completed: "完成回拨", fcr_eligible: "可判定首解", fcr_resolved: "一次解决", fcr_pending: "首解待定",
      fcr_rate: "一次解决率", survey_offered: "邀请评价", survey_responses: "评价数", satisfied: "满意", csat: "满意度",
      survey_response_rate: "评价率", orders_opened: "新建工单", orders_closed: "办结工单", closure_rate: "办结率",
      orders_settled: "到期工单", orders_on_time: "按时处理", timely_rate: "处理及时率", callbacks_reached: "回访接通",
      callbacks_satisfied: "回访满意", callback_satisfaction_rate: "回访满意率", trunk_peak_lines: "中继峰值占线",
      trunk_carried_erlangs: "中继话务量(Erl)", all_lines_busy: "全忙次数" },
    agent_col: { name: "坐席", logged_in_seconds: "签入时长", seconds_by_state: "各状态时长", occupancy: "占用率", handled: "处理通话",
      transfers_taken: "接转入", outbound_calls: "外呼", talk_seconds: "平均通话(秒)", acw_seconds: "平均话后(秒)",
      aht_seconds: "平均处理(秒)", orders_owned: "负责工单", orders_opened: "新建工单", orders_closed: "办结工单",
      orders_overdue: "超时工单", survey_responses: "评价数", csat: "满意度", callback_satisfaction_rate: "回访满意率" },
  },
  en: {
    state: { logged_out: "Logged out", ready: "Ready", not_ready: "Not ready", offered: "Ringing", on_call: "On call", wrap_up: "Wrap-up",
      dialing: "Calling out", supervising: "Supervising" },
    force: { ready: "Ready", not_ready: "Not ready", logged_out: "Log out" },
    reason: { break: "Break", meal: "Meal", training: "Training", meeting: "Meeting", after_call_work: "After-call work", missed: "Missed call", forced: "Set by supervisor",
      supervision: "After supervision" },
    category: { repair: "Repair", leak: "Leak", consultation: "Consultation", complaint: "Complaint", query: "Query", suggestion: "Suggestion" },
    priority: { low: "Low", normal: "Normal", high: "High", urgent: "Urgent" },
    status: { new: "New", in_progress: "In progress", dispatched: "Dispatched", awaiting_callback: "Awaiting callback", closed: "Closed" },
    action: { callback_scheduled: "Callback scheduled", callback_completed: "Callback done",
      callback_failed: "Callback failed", callback_cancelled: "Callback cancelled", created: "Created", status: "Status changed", status_changed: "Status changed", handover: "Handed over", handed_over: "Handed over",
      reassign: "Reassigned", reassigned: "Reassigned", closed: "Closed", close: "Closed", callback: "Callback", note: "Note" },
    outcome: { answered: "Answered", abandoned: "Abandoned", self_service: "IVR self-service", deflected: "Deflected by notice", closed: "Closed hours",
      callback_requested: "Callback requested", short_abandoned: "Short abandon" },
    cb_outcome: { reached: "Reached", no_answer: "No answer", busy: "Busy", wrong_number: "Wrong number", declined: "Declined" },
    cb_kind: { survey: "Follow-up", closing: "Closing callback", promised: "Promised call-back", queue: "Queue callback", night: "Night callback" },
    cb_status: { pending: "Pending", scheduled: "Scheduled", due: "Due", open: "Open", placed: "Placed", done: "Done", reached: "Reached",
      failed: "Failed", cancelled: "Cancelled" },
    satisfaction: { 5: "5 very satisfied", 4: "4 satisfied", 3: "3 neutral", 2: "2 dissatisfied", 1: "1 very dissatisfied" },
    payment: { paid: "Paid", unpaid: "Unpaid", overdue: "Overdue" },
    outage: { planned: "planned", unplanned: "unplanned" },
    spy: { listen: "Listen", whisper: "Whisper", barge: "Barge" },
    role: { agent: "agent", supervisor: "supervisor", manager: "manager", admin: "admin" },
    figure: { calls: "Calls", offered: "Offered", answered: "Answered", abandoned: "Abandoned", short_abandoned: "Short abandons",
      answer_rate: "Answer rate", abandon_rate: "Abandon rate", answered_within_target: "Within target", service_level: "Service level today",
      asa_seconds: "ASA (s)", longest_wait_seconds: "Longest wait (s)", self_served: "IVR self-served" },
    metric: { calls: "Calls", offered: "Offered", answered: "Answered", answer_rate: "Answer rate", abandoned: "Abandoned",
      short_abandoned: "Short abandons", abandon_rate: "Abandon rate", answered_within_target: "Answered within target", service_level: "Service level",
      asa_seconds: "ASA (s)", longest_wait_seconds: "Longest wait (s)", handled: "Handled", talk_seconds: "Mean talk (s)",
      hold_seconds: "Mean hold (s)", acw_seconds: "Mean after-call work (s)", aht_seconds: "AHT (s)", occupancy: "Occupancy",
      self_served: "IVR self-served", self_service_rate: "Self-service rate", deflected: "Deflected by notices", callbacks_requested: "Callbacks requested",
      callbacks_completed: "Callbacks completed", fcr_eligible: "FCR eligible", fcr_resolved: "Resolved first time", fcr_pending: "FCR pending",
      fcr_rate: "FCR rate", survey_offered: "Surveys offered", survey_responses: "Survey responses", satisfied: "Satisfied", csat: "CSAT",
      survey_response_rate: "Survey response rate", orders_opened: "Orders opened", orders_closed: "Orders closed", closure_rate: "Closure rate",
      orders_settled: "Orders due", orders_on_time: "Handled on time", timely_rate: "On-time rate", callbacks_reached: "Callbacks reached",
      callbacks_satisfied: "Callbacks satisfied", callback_satisfaction_rate: "Callback satisfaction", trunk_peak_lines: "Trunk peak lines",
      trunk_carried_erlangs: "Trunk traffic (Erl)", all_lines_busy: "All lines busy" },
    agent_col: { name: "Agent", logged_in_seconds: "Logged in", seconds_by_state: "Time in each state", occupancy: "Occupancy", handled: "Handled",
      transfers_taken: "Transfers taken", outbound_calls: "Outbound", talk_seconds: "Mean talk (s)", acw_seconds: "Mean ACW (s)",
      aht_seconds: "AHT (s)", orders_owned: "Orders owned", orders_opened: "Orders opened", orders_closed: "Orders closed",
      orders_overdue: "Orders overdue", survey_responses: "Survey responses", csat: "CSAT", callback_satisfaction_rate: "Callback satisfaction" },
  },
};

// Numeric keys keep insertion order only as strings in descending order here; list the choices explicitly.
const ORDER = { satisfaction: ["5", "4", "3", "2", "1"] };

const listeners = [];
let lang = pick(localStorage.getItem("qq.lang") || "zh-CN");
export const missingKeys = new Set();

function pick(code) { return STRINGS[code] ? code : "zh-CN"; }

export function getLang() { return lang; }

export function setLang(code) {
  lang = pick(code);
  try { localStorage.setItem("qq.lang", lang); } catch (e) { /* storage disabled */ }
  applyI18n();
  for (const fn of listeners) fn(lang);
}

export function onLangChange(fn) { listeners.push(fn); }

export function t(key, vars) {
  let text = STRINGS[lang][key];
  if (text == null) {
    missingKeys.add(key);
    text = STRINGS["zh-CN"][key] ?? key;
  }
  return vars ? text.replace(/\{(\w+)\}/g, (m, name) => (vars[name] != null ? String(vars[name]) : m)) : text;
}

/** The name of a value in a group (a state, a category...); the value itself when it has none. */
export function label(group, value) {
  if (value == null || value === "") return "—";
  const names = GROUPS[lang][group] || {};
  return names[value] ?? String(value);
}

/** [value, name] pairs of a group's choices, in order. */
export function options(group) {
  const values = ORDER[group] || Object.keys(GROUPS["zh-CN"][group] || {});
  return values.map((v) => [v, label(group, v)]);
}

export function applyI18n(root = document) {
  document.documentElement.lang = lang;
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of root.querySelectorAll("[data-i18n-title]")) node.title = t(node.dataset.i18nTitle);
  document.title = t("app.title");
}

/** For tests: the keys of each language's table (they must be the same). */
export function tableKeys() {
  return Object.fromEntries(Object.entries(STRINGS).map(([code, table]) => [code, Object.keys(table).sort()]));
}
export function groupKeys() {
  return Object.fromEntries(Object.entries(GROUPS).map(([code, groups]) =>
    [code, Object.fromEntries(Object.entries(groups).map(([g, names]) => [g, Object.keys(names).sort()]))]));
}
