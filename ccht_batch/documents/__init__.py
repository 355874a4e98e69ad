"""The nomination dossier's drafts (``ccht-batch documents``): tờ trình, quyết định, biên bản họp Hội đồng and
each candidate's báo cáo thành tích, as official Word documents under ``output/<period>/VanBan/``."""
